"""The wall display when the database goes away: a large banner says since when, editing
pauses, and once the database is back the wall shows what changed meanwhile — and the right
day, if midnight passed during the outage."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from surgdesk import startup
from surgdesk.config import DepartmentConfig
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services.context import FakeClock
from surgdesk.services.dto import CaseSummary
from surgdesk.services.registry import Services
from surgdesk.ui.live import LiveState
from surgdesk.ui.wall import WallWindow
from tests.netfault import FaultProxy

from .helpers import bar_centre, drag, point_for, settle
from .wall_helpers import MORNING, PASSWORD, WALL_SIZE, fill_wall_demo, on_screen_move

# The feed's first reconnect attempt comes after about a second, the banner's "connected
# again" stays a few seconds: well inside these ceilings.
RECONNECT_WAIT_MS = 20_000


def _open_wall(qtbot: QtBot, url: str, clock: FakeClock) -> WallWindow:
    """A wall with its live feed on ``url`` (the shared wall helper opens one without)."""
    services = startup.open_services(url, clock=clock, interactive=True)
    device = services.auth.login_device("wall.display", PASSWORD).actor
    window = WallWindow(services, device, clock=clock, config=DepartmentConfig(),
                        database_url=url)
    window.owns_services = True
    qtbot.addWidget(window)
    window.resize(*WALL_SIZE)
    window.show()
    qtbot.waitExposed(window)
    assert window.runner.settle()  # the first load and the feed's start landed
    window.tick()
    return window


def _terminate_everything(url: str) -> None:
    """The server ends every session of this test's database (like a restart)."""
    name = make_url(url).database
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))


class OtherClient:
    """A scheduler's PC on the same database, straight to the server."""

    def __init__(self, url: str, clock: FakeClock) -> None:
        self.services = Services.create(Database(make_nullpool_engine(url)), clock)
        self.actor = self.services.auth.login("scheduler1", PASSWORD).actor

    def move(self, case: CaseSummary, start: datetime) -> CaseSummary:
        assert case.room_code is not None
        return self.services.cases.move(self.actor, case.case_number, room=case.room_code,
                                        start=start).case


@pytest.fixture
def pg_wall_url(postgres_url: str) -> str:
    fill_wall_demo(postgres_url)
    return postgres_url


@pytest.fixture
def other(pg_wall_url: str) -> Iterator[OtherClient]:
    client = OtherClient(pg_wall_url, FakeClock(MORNING))
    yield client
    client.services.close()


@pytest.mark.postgres
def test_the_wall_shows_the_outage_and_catches_up_after_reconnecting(
        qtbot: QtBot, pg_wall_url: str, other: OtherClient) -> None:
    window = _open_wall(qtbot, pg_wall_url, FakeClock(MORNING))
    assert window.live.state is LiveState.LIVE
    assert window.banner.isHidden()
    case, target = on_screen_move(window.board)
    moved: list[CaseSummary] = []
    # Another scheduler moves a case while the wall is cut off (in the `lost` slot: before
    # any reconnect attempt can be made).
    window.live.lost.connect(lambda _reason: moved.append(
        other.move(case, target.start.astimezone(window.tz).replace(tzinfo=None))))

    _terminate_everything(pg_wall_url)
    qtbot.waitUntil(window.banner.isVisible, timeout=10_000)
    assert window.offline
    assert "Database unreachable since 09:00:00" in window.banner.text()  # Berlin time
    assert window.banner.label.font().pixelSize() >= 24
    assert moved
    assert (window.controller.model.case(case.case_number) or case).version == case.version

    with qtbot.waitSignal(window.live.restored, timeout=RECONNECT_WAIT_MS):
        pass
    settle(window)  # the backlog, read off the GUI thread, is on the board
    shown = window.controller.model.case(case.case_number)
    assert shown is not None
    assert (shown.version, shown.scheduled_start) == (moved[0].version, target.start)
    assert shown.patient_name is None  # still read as the device
    assert "connected again" in window.banner.text()
    qtbot.waitUntil(window.banner.isHidden, timeout=RECONNECT_WAIT_MS)
    window.close()


@pytest.mark.postgres
def test_midnight_during_an_outage_loads_the_new_day_once_reconnected(
        qtbot: QtBot, pg_wall_url: str) -> None:
    clock = FakeClock(datetime(2026, 1, 13, 22, 59, tzinfo=UTC))  # 23:59 in Berlin
    window = _open_wall(qtbot, pg_wall_url, clock)
    assert window.day == date(2026, 1, 13)
    window.live.lost.connect(lambda _reason: window.live.retry_timer.stop())  # hold it off
    _terminate_everything(pg_wall_url)
    with qtbot.waitSignal(window.live.lost, timeout=10_000):
        pass
    clock.advance(timedelta(minutes=5))
    window.tick()  # midnight passes while the database is away
    assert window.clock_label.text() == "00:04"
    assert window.reload_needed
    assert window.controller.window is not None
    assert window.controller.window.first_day == date(2026, 1, 13)  # yesterday's, as it was
    with qtbot.waitSignal(window.live.restored, timeout=RECONNECT_WAIT_MS):
        window.live.retry_now()
    settle(window)  # the new day's load landed
    assert window.controller.window.first_day == date(2026, 1, 14)
    assert "14 January 2026" in window.date_label.text()
    assert not window.reload_needed
    window.close()


@pytest.fixture
def wall_url(sqlite_url: str) -> str:
    fill_wall_demo(sqlite_url)
    return sqlite_url


def test_editing_pauses_while_the_database_is_away(qtbot: QtBot, wall_url: str) -> None:
    window = _open_wall(qtbot, wall_url, FakeClock(MORNING))
    window.unlock("scheduler1", PASSWORD)
    settle(window)  # the scheduler's rights on these cases were read
    assert window.board.editable
    window.live.backoff_s = (30.0,)  # no attempt of its own during the test
    window.live.report_failure("saving a case: the database cannot be reached")
    assert window.banner.isVisible()
    assert not window.board.editable
    assert "Editing paused" in window.last_message
    assert "Editing paused" in window.unlock_status.text()
    assert not window.unlock_button.isEnabled()
    # Banner, pause notice and countdown fit the wall's width: nothing pushes it wider.
    assert window.minimumSizeHint().width() <= WALL_SIZE[0]
    view = window.board
    case, target = on_screen_move(view)
    drag(qtbot, view, bar_centre(view, case.case_number),
         point_for(view, case, target.room_id, target.start))
    stored = window.services.cases.summaries_by_ids(window.actor, [case.id])[0]
    assert stored.version == case.version  # nothing was written
    with qtbot.waitSignal(window.live.restored, timeout=RECONNECT_WAIT_MS):
        qtbot.mouseClick(window.banner.retry_button, Qt.MouseButton.LeftButton)
    assert window.board.editable
    assert "Editing resumed" in window.last_message
    window.close()


@pytest.mark.postgres
def test_a_wall_started_while_the_database_is_down_shows_the_board_once_it_is_back(
        qtbot: QtBot, pg_wall_url: str) -> None:
    """A wall PC that boots during a database outage must not stay blind for weeks: it
    shows the banner, keeps trying, and loads the day once the database answers."""
    clock = FakeClock(MORNING)
    with FaultProxy.for_url(pg_wall_url) as proxy:
        url = proxy.url(pg_wall_url)
        services = startup.open_services(url, clock=clock, interactive=True)
        device = services.auth.login_device("wall.display", PASSWORD).actor
        proxy.refuse()
        services.changes.reset_connections()  # the pooled connection would still work
        window = WallWindow(services, device, clock=clock, config=DepartmentConfig(),
                            database_url=url)
        window.owns_services = True
        qtbot.addWidget(window)
        window.resize(*WALL_SIZE)
        window.show()
        assert window.runner.settle()  # the feed's start position was refused
        assert window.live.state is LiveState.LOST
        assert window.banner.isVisible()
        assert not window.controller.model.cases()  # nothing could be loaded

        with qtbot.waitSignal(window.live.restored, timeout=RECONNECT_WAIT_MS):
            proxy.restore()
        settle(window)  # the day's load, asked for once it was back
        assert window.controller.window is not None
        assert window.controller.model.cases()  # today's board, loaded once back
        qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=RECONNECT_WAIT_MS)
        window.close()
