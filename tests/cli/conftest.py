"""Run the CLI in-process against a fresh database, capturing exit code and output."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher

from surgdesk.cli.main import main

PASSWORD = "correct-horse-battery"


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


CliRunner = Callable[..., Run]


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    # Still argon2id, at test-sized cost: these tests are about the CLI, not hash strength.
    monkeypatch.setattr(
        "surgdesk.services.auth.PasswordHasher",
        lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
    )

    def run(*args: str, stdin: str | None = None) -> Run:
        capsys.readouterr()
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin if stdin is not None else ""))
        code = main(["--database", db_url, *args])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err, captured.err
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def admin_cli(cli: CliRunner) -> CliRunner:
    """A database with an admin signed in, two rooms, a surgeon and an anesthesiologist."""
    steps = [
        (["users", "add", "--username", "admin", "--role", "admin", "--display-name",
          "Ada Admin", "--email", "admin@or.hospital.local", "--password-stdin"], PASSWORD),
        (["login", "--username", "admin", "--password-stdin"], PASSWORD),
        (["users", "add", "--username", "dr.grey", "--role", "surgeon", "--display-name",
          "Meredith Grey", "--email", "grey@or.hospital.local", "--specialty", "general",
          "--password-stdin"], PASSWORD),
        (["users", "add", "--username", "dr.shep", "--role", "surgeon", "--display-name",
          "Derek Shepherd", "--email", "shep@or.hospital.local", "--specialty", "neuro",
          "--password-stdin"], PASSWORD),
        (["users", "add", "--username", "gas", "--role", "anesthesiologist", "--display-name",
          "Ann Esthesia", "--email", "gas@or.hospital.local", "--password-stdin"], PASSWORD),
        (["users", "add", "--username", "nurse1", "--role", "nurse", "--display-name",
          "Nora Nurse", "--email", "nurse1@or.hospital.local", "--password-stdin"], PASSWORD),
        (["rooms", "add", "--code", "OR-1", "--name", "Theatre 1", "--specialty", "general",
          "--turnover", "30", "--opens", "07:00", "--closes", "19:00"], None),
        (["rooms", "add", "--code", "OR-2", "--name", "Theatre 2", "--turnover", "20"], None),
    ]
    for args, stdin in steps:
        result = cli(*args, stdin=stdin)
        assert result.code == 0, (args, result.err)
    return cli
