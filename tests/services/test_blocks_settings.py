"""The department's block_release_days: read by everyone, set by admins within
domain.blocks.RELEASE_DAYS, and the figure of every block without its own."""

from __future__ import annotations

import pytest

from surgdesk.domain.blocks import DEFAULT_RELEASE_DAYS, RELEASE_DAYS
from surgdesk.errors import BadInput, PermissionDenied
from surgdesk.services.settings import SettingsService
from tests.services.blocks_kit import BlockKit, bk, fields
from tests.services.factories import kit

__all__ = ["bk", "kit"]


def test_block_release_days_is_the_default_of_blocks_without_their_own(bk: BlockKit) -> None:
    settings = SettingsService(bk.kit.db, bk.kit.clock)
    assert settings.get(bk["viewer"]).block_release_days == DEFAULT_RELEASE_DAYS
    default = bk.blocks.create(bk["sched"], fields())
    own = bk.blocks.create(bk["sched"], fields(room="OR2", release_days=2))
    with pytest.raises(PermissionDenied):
        settings.update(bk["sched"], block_release_days=14)
    assert settings.update(bk["admin"], block_release_days=RELEASE_DAYS.high) \
        .block_release_days == RELEASE_DAYS.high
    for bad in (RELEASE_DAYS.high + 1, RELEASE_DAYS.low - 1):
        with pytest.raises(BadInput) as err:
            settings.update(bk["admin"], block_release_days=bad)
        assert err.value.field == "block_release_days"
    settings.update(bk["admin"], block_release_days=14)
    assert bk.blocks.get(bk["sched"], default.id).effective_release_days == 14
    assert bk.blocks.get(bk["sched"], own.id).effective_release_days == 2
