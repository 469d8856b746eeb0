"""Department settings — on SQLite and on Postgres."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.limits import IDLE_LOCK, ON_TIME_GRACE, SNAP
from surgdesk.errors import BadInput, StaleVersion
from surgdesk.repository.database import Database
from surgdesk.services.context import ANONYMOUS, Actor
from surgdesk.services.settings import SettingsService
from tests.services.staff import bootstrap_admin


@pytest.fixture
def admin(db: Database) -> Actor:
    return bootstrap_admin(db)


@pytest.fixture
def settings(db: Database) -> SettingsService:
    return SettingsService(db)


def test_everyone_reads_the_settings_even_without_login(settings):
    view = settings.get(ANONYMOUS)
    assert view.time_zone == "Europe/Berlin"  # the test databases' zone
    assert view.remember_me_allowed is True
    assert view.day_start < view.day_end


def test_update_changes_the_given_settings_and_audits_them(db, admin, settings):
    before = settings.get(admin)
    after = settings.update(admin, time_zone="America/New_York", snap_minutes=15,
                            day_start=time(6), expected_version=before.version)
    assert after.time_zone == "America/New_York"
    assert after.snap_minutes == 15
    assert after.day_start == time(6)
    assert after.idle_lock_minutes == before.idle_lock_minutes
    assert after.version == before.version + 1
    with db.new_session() as s:
        event = s.scalars(
            select(m.AuditEvent).where(m.AuditEvent.action == "update_settings")
        ).one()
    assert event.actor_id == admin.user_id
    assert event.details == {
        "time_zone": {"before": "Europe/Berlin", "after": "America/New_York"},
        "snap_minutes": {"before": 5, "after": 15},
        "day_start": {"before": "07:00:00", "after": "06:00:00"},
    }


def test_stale_settings_update_is_refused(admin, settings):
    version = settings.get(admin).version
    settings.update(admin, idle_lock_minutes=5)
    with pytest.raises(StaleVersion):
        settings.update(admin, idle_lock_minutes=10, expected_version=version)


BAD_SETTINGS = [
    ("time_zone", {"time_zone": "Mars/Olympus_Mons"}),
    ("time_zone", {"time_zone": "../etc/passwd"}),
    ("time_zone", {"time_zone": ""}),
    ("day_end", {"day_start": time(20), "day_end": time(6)}),
    ("idle_lock_minutes", {"idle_lock_minutes": 0}),
    ("on_time_grace_minutes", {"on_time_grace_minutes": -5}),
    ("snap_minutes", {"snap_minutes": 7}),
    ("snap_minutes", {"snap_minutes": 0}),
]


def test_bad_settings_name_the_field_and_change_nothing(admin, settings):
    before = settings.get(admin)
    for field, changes in BAD_SETTINGS:
        with pytest.raises(BadInput) as err:
            settings.update(admin, **changes)
        assert err.value.field == field, f"{changes}: {err.value}"
    assert settings.get(admin) == before


@pytest.mark.parametrize(
    ("field", "limit"),
    [("idle_lock_minutes", IDLE_LOCK), ("on_time_grace_minutes", ON_TIME_GRACE),
     ("snap_minutes", SNAP)],
)
def test_minute_settings_take_the_ranges_declared_in_domain_limits(admin, settings, field,
                                                                   limit):
    # The CLI once took an idle lock of 1,440 min and a grace of 240 that the service
    # refused: both now read these ranges from domain.limits.
    assert getattr(settings.update(admin, **{field: limit.high}), field) == limit.high
    assert getattr(settings.update(admin, **{field: limit.low}), field) == limit.low
    before = settings.get(admin)
    for value in (limit.high + 1, limit.low - 1):
        with pytest.raises(BadInput) as err:
            settings.update(admin, **{field: value})
        assert err.value.field == field
        assert str(limit.high if value > limit.high else limit.low) in str(err.value)
    assert settings.get(admin) == before


def test_an_unchanged_update_writes_nothing(admin, settings):
    before = settings.get(admin)
    assert settings.update(admin, time_zone=before.time_zone) == before
