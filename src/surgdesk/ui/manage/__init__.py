"""The screens of the OR manager, the scheduler and the admin (issue 5).

Each dialog takes ``(services, actor, parent=None, *, runner=None)`` and refuses
(PermissionDenied) an actor whose role may not use it; ``may_open(actor, action)`` tells a
menu whether to show it. The services refuse every call of such an actor anyway. Their
service calls go through ``runner`` (the window's ``ServiceRunner``; without one each
makes its own), off the GUI thread; the access-request form (before sign-in) still calls
the service directly.

| screen                      | guard                    | roles            |
|-----------------------------|--------------------------|------------------|
| ``CaseTableWidget``         | Action.SEE_BOARD         | everyone         |
| ``RoomsDialog``             | Action.MANAGE_ROOMS      | admin, scheduler |
| ``UsersDialog``             | Action.MANAGE_USERS      | admin            |
| ``TemplatesDialog``         | Action.MANAGE_TEMPLATES  | admin            |
| ``DepartmentSettingsDialog``| Action.MANAGE_SETTINGS   | admin            |
| ``BlocksDialog`` (blocks.py)| MANAGE_BLOCKS, or a      | admin, scheduler;|
|                             | surgeon's RELEASE_BLOCK  | surgeons: own    |
| ``EquipmentDialog``         | MANAGE_EQUIPMENT         | admin, scheduler |
| (equipment.py)              |                          |                  |
| ``CardsDialog`` (cards.py)  | MANAGE_CARDS (owns=True) | admin, scheduler;|
|                             |                          | surgeons: own    |
| ``AccessRequestDialog``     | none (before login)      | anyone           |
"""

from surgdesk.ui.manage.case_table import CaseTableWidget
from surgdesk.ui.manage.common import may_open
from surgdesk.ui.manage.rooms import RoomsDialog
from surgdesk.ui.manage.settings import DepartmentSettingsDialog
from surgdesk.ui.manage.templates import TemplatesDialog
from surgdesk.ui.manage.users import AccessRequestDialog, UsersDialog

__all__ = [
    "AccessRequestDialog",
    "CaseTableWidget",
    "DepartmentSettingsDialog",
    "RoomsDialog",
    "TemplatesDialog",
    "UsersDialog",
    "may_open",
]
