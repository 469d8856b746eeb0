"""All services over one database: what the composition root hands the GUI and the CLI.

Each service is built, and its module imported, on first use: a command line that lists
cases never loads the password hashing, the blocks, the equipment or the change feed
(together a few hundred milliseconds of imports on a hospital PC). Services hold no
state of their own, so two threads racing to build one at first use is harmless.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from surgdesk.services.context import Clock, SystemClock

if TYPE_CHECKING:
    from surgdesk.config import DepartmentConfig
    from surgdesk.repository.database import Database
    from surgdesk.services.auth import AuthService
    from surgdesk.services.blocks import BlockService
    from surgdesk.services.cards import PreferenceCardService
    from surgdesk.services.case_checks import CaseCheckService
    from surgdesk.services.case_search import CaseSearchService
    from surgdesk.services.cases import CaseService
    from surgdesk.services.changes import ChangeService
    from surgdesk.services.checklists import ChecklistService
    from surgdesk.services.equipment import EquipmentService
    from surgdesk.services.rooms import RoomService
    from surgdesk.services.settings import SettingsService
    from surgdesk.services.templates import TemplateService
    from surgdesk.services.users import UserService


class Services:
    """The services of one database and clock; ``machine``: this PC's department config,
    which narrows the session policy."""

    def __init__(self, db: Database, clock: Clock, *,
                 machine: DepartmentConfig | None = None) -> None:
        self.db = db
        self.clock = clock
        self._machine = machine

    @classmethod
    def create(cls, db: Database, clock: Clock | None = None, *,
               machine: DepartmentConfig | None = None) -> Services:
        return cls(db, clock or SystemClock(), machine=machine)

    @cached_property
    def auth(self) -> AuthService:
        from surgdesk.services.auth import AuthService

        return AuthService(self.db, self.clock, machine=self._machine)

    @cached_property
    def users(self) -> UserService:
        from surgdesk.services.users import UserService

        return UserService(self.db, self.clock)

    @cached_property
    def rooms(self) -> RoomService:
        from surgdesk.services.rooms import RoomService

        return RoomService(self.db, self.clock)

    @cached_property
    def blocks(self) -> BlockService:
        from surgdesk.services.blocks import BlockService

        return BlockService(self.db, self.clock)

    @cached_property
    def equipment(self) -> EquipmentService:
        from surgdesk.services.equipment import EquipmentService

        return EquipmentService(self.db, self.clock)

    @cached_property
    def cards(self) -> PreferenceCardService:
        from surgdesk.services.cards import PreferenceCardService

        return PreferenceCardService(self.db, self.clock)

    @cached_property
    def settings(self) -> SettingsService:
        from surgdesk.services.settings import SettingsService

        return SettingsService(self.db, self.clock, machine=self._machine)

    @cached_property
    def cases(self) -> CaseService:
        from surgdesk.services.cases import CaseService

        return CaseService(self.db, self.clock)

    @cached_property
    def case_search(self) -> CaseSearchService:
        from surgdesk.services.case_search import CaseSearchService

        return CaseSearchService(self.db, self.clock)

    @cached_property
    def checks(self) -> CaseCheckService:
        from surgdesk.services.case_checks import CaseCheckService

        return CaseCheckService(self.db, self.clock)

    @cached_property
    def checklists(self) -> ChecklistService:
        from surgdesk.services.checklists import ChecklistService

        return ChecklistService(self.db, self.clock)

    @cached_property
    def templates(self) -> TemplateService:
        from surgdesk.services.templates import TemplateService

        return TemplateService(self.db, self.clock)

    @cached_property
    def changes(self) -> ChangeService:
        from surgdesk.services.changes import ChangeService

        return ChangeService(self.db)

    def close(self) -> None:
        self.db.dispose()
