"""Each management screen opens only for the roles DESIGN.md allows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from surgdesk.domain.permissions import Action
from surgdesk.errors import PermissionDenied
from surgdesk.services.context import ANONYMOUS, Actor
from surgdesk.services.registry import Services
from surgdesk.ui.manage import (
    CaseTableWidget,
    DepartmentSettingsDialog,
    RoomsDialog,
    TemplatesDialog,
    UsersDialog,
    may_open,
)
from tests.services.factories import Kit
from tests.ui.manage.fixtures import kit_services, sqlite_db

__all__ = ["kit_services", "sqlite_db"]

Screen = Callable[[Services, Actor], QWidget]
SCREENS: dict[str, tuple[Screen, Action, set[str]]] = {
    "rooms": (RoomsDialog, Action.MANAGE_ROOMS, {"admin", "sched"}),
    "users": (UsersDialog, Action.MANAGE_USERS, {"admin"}),
    "templates": (TemplatesDialog, Action.MANAGE_TEMPLATES, {"admin"}),
    "settings": (DepartmentSettingsDialog, Action.MANAGE_SETTINGS, {"admin"}),
}
EVERYONE = ("admin", "sched", "surg1", "anes1", "nurse1", "viewer", "wall")


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_admin_screens_open_only_for_their_roles(
    qtbot: QtBot, kit_services: tuple[Kit, Services], screen: str
) -> None:
    kit, services = kit_services
    build, action, allowed = SCREENS[screen]
    for username in EVERYONE:
        actor = kit[username]
        assert may_open(actor, action) == (username in allowed), username
        if username in allowed:
            widget = build(services, actor)
            qtbot.add_widget(widget)
            runner = getattr(widget, "runner", None)
            assert runner is None or runner.settle()  # opened off the GUI thread
        else:
            with pytest.raises(PermissionDenied):
                build(services, actor)
    with pytest.raises(PermissionDenied):
        build(services, ANONYMOUS)


def test_everyone_gets_the_case_table(qtbot: QtBot, kit_services: tuple[Kit, Services]
                                      ) -> None:
    kit, services = kit_services
    for username in EVERYONE:
        widget = CaseTableWidget(services, kit[username])
        qtbot.add_widget(widget)
        assert widget.runner.settle()
        assert widget.view.objectName() == "caseTable"
