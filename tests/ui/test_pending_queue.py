"""PendingSaves on its own: each waiting save is retried once, in order; the first one the
database still does not answer stops the round and everything from it stays."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from surgdesk.errors import DatabaseUnavailable, RoomConflict, SurgDeskError
from surgdesk.ui.pending import PendingSaves


def answer(*outcomes: object) -> Callable[[], object]:
    """A retry that gives (or raises) the next outcome on each call."""
    left = list(outcomes)

    def retry() -> object:
        outcome = left.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return retry


def test_saves_are_retried_once_in_order_and_an_unreachable_one_stops_the_round(
        qtbot: QtBot) -> None:
    pending = PendingSaves()
    counts: list[int] = []
    messages: list[str] = []
    done: list[object] = []
    refused: list[SurgDeskError] = []
    pending.changed.connect(counts.append)
    pending.message.connect(messages.append)
    lost = DatabaseUnavailable("no answer")
    pending.add("op-first-1", "Move of C-1", answer("moved"), done.append)
    pending.add("op-second-2", "Resize of C-2", answer(RoomConflict("OR1 is taken")),
                done.append, refused=refused.append)
    pending.add("op-third-33", "Move of C-3", answer(lost, "moved 3"), done.append)
    pending.add("op-fourth-4", "Move of C-4", answer("moved 4"), done.append)
    assert len(pending) == 4
    assert counts == [1, 2, 3, 4]

    pending.retry_all()
    assert done == ["moved"]
    assert [str(e) for e in refused] == ["OR1 is taken"]
    assert messages[:2] == ["Move of C-1 saved", "Resize of C-2 NOT saved — OR1 is taken"]
    assert messages[2].startswith("Move of C-3 still not confirmed")
    assert pending.op_ids() == ["op-third-33", "op-fourth-4"]  # C-4 not even tried

    pending.retry_all()
    assert done == ["moved", "moved 3", "moved 4"]
    assert len(pending) == 0
    assert counts[-1] == 0
