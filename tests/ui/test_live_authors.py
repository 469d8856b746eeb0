"""Live updates say who changed a case: ``RemoteUpdate.authors`` carries the display name
of whoever made each remote change, and an open case form names them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.repository.feed import Change
from surgdesk.services.context import Actor, FakeClock
from surgdesk.services.registry import Services
from surgdesk.ui.board.controller import BoardController, RemoteUpdate
from surgdesk.ui.case.form import CaseFormDialog
from surgdesk.ui.main_window import MainWindow

from .conftest import BOARD_DAY, DEMO_PASSWORD, NOW, open_window
from .helpers import MOVABLE, free_slot, movable_case

FEED_WAIT_MS = 10_000


class Client:
    """One PC: its own engine and login (no window, no live feed of its own)."""

    def __init__(self, url: str, username: str) -> None:
        self.services = Services.create(Database(make_nullpool_engine(url)), FakeClock(NOW))
        self.actor: Actor = self.services.auth.login(username, DEMO_PASSWORD).actor

    def close(self) -> None:
        self.services.close()


@pytest.fixture
def two_clients(demo_any_url: str) -> Iterator[tuple[Client, Client]]:
    mine, theirs = Client(demo_any_url, "scheduler1"), Client(demo_any_url, "scheduler2")
    yield mine, theirs
    mine.close()
    theirs.close()


def test_a_remote_move_carries_the_name_of_who_moved_it(
        qtbot: QtBot, two_clients: tuple[Client, Client]) -> None:
    mine, theirs = two_clients
    controller = BoardController(mine.services, mine.actor)
    controller.load(BOARD_DAY)
    case = next(c for c in controller.model.cases() if c.status in MOVABLE)
    assert case.scheduled_end is not None
    position = mine.services.changes.start()

    # Shorter by five minutes: never a clash with a neighbour.
    theirs.services.cases.move(theirs.actor, case.case_number,
                               end=case.scheduled_end - timedelta(minutes=5))

    batch = mine.services.changes.read(position)
    update = controller.remote_update(batch.changes)
    assert case.case_number in {c.case_number for c in update.changed}
    assert update.authors == {case.case_number: theirs.actor.display_name}
    assert theirs.actor.display_name  # a staff name, not an id or a patient's


def test_a_system_change_names_no_one(
        qtbot: QtBot, two_clients: tuple[Client, Client]) -> None:
    mine, _ = two_clients
    controller = BoardController(mine.services, mine.actor)
    controller.load(BOARD_DAY)
    case = next(c for c in controller.model.cases() if c.room_code is not None)

    update = controller.remote_update(
        [Change(10**9, "surgery_case", case.id, case.version + 1, "update", None)])
    assert update.authors == {}


def test_the_open_board_hears_who_moved_a_case_on_another_pc(
        qtbot: QtBot, demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    window: MainWindow = open_window(qtbot, demo_url)
    case = movable_case(window.board)
    target = free_slot(window.board, case)
    heard: list[RemoteUpdate] = []
    apply_update = window.session.apply_update

    def spy(update: RemoteUpdate) -> None:  # what the session read, as it applies it
        heard.append(update)
        apply_update(update)

    monkeypatch.setattr(window.session, "apply_update", spy)
    other = Client(demo_url, "scheduler2")
    try:
        room = window.controller.model.room_at(
            window.controller.model.room_row(target.room_id) or 0)
        assert room is not None
        other.services.cases.move(other.actor, case.case_number, room=room.code,
                                  start=target.start, end=target.end)
        qtbot.waitUntil(lambda: any(case.case_number in u.authors for u in heard),
                        timeout=FEED_WAIT_MS)
        [update] = [u for u in heard if case.case_number in u.authors]
        assert update.authors[case.case_number] == other.actor.display_name
    finally:
        other.close()
        window.close()


def test_the_case_form_says_who_changed_the_case_and_when(
        qtbot: QtBot, demo_url: str) -> None:
    window = open_window(qtbot, demo_url)
    case = movable_case(window.board)
    window.open_case(case.case_number)
    form = window.case_form
    assert isinstance(form, CaseFormDialog)
    qtbot.waitUntil(lambda: form.detail is not None, timeout=10_000)  # read off the GUI thread
    assert form.changed_elsewhere(case.version + 1, by="Dr A. Example")
    # NOW is 08:00 UTC: 09:00 in the department's zone (Europe/Berlin, winter).
    assert (f"{case.case_number} was changed by Dr A. Example at 09:00 — Save will ask you"
            in form.last_message)
    assert form.changed_elsewhere(case.version + 1)  # no name known
    assert "changed by someone else at 09:00" in form.last_message
    assert not form.changed_elsewhere(case.version)  # not newer: nothing to say
    form.reject()
    window.close()
