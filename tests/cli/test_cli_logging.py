"""The CLI's log file: one handler per process, however often ``main`` runs in it."""

from __future__ import annotations

import logging

from .conftest import CliRunner


def test_running_the_cli_again_in_one_process_keeps_one_log_file_open(cli: CliRunner) -> None:
    for _ in range(5):
        cli("rooms", "list")
    handlers = [h for h in logging.getLogger().handlers
                if isinstance(h, logging.FileHandler)
                and h.baseFilename.endswith("surgdesk.log")]
    assert len(handlers) == 1  # five before: one open log file per run, never closed
