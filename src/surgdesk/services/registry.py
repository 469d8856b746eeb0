"""All services over one database: what the composition root hands the GUI and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

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
from surgdesk.services.context import Clock, SystemClock
from surgdesk.services.equipment import EquipmentService
from surgdesk.services.rooms import RoomService
from surgdesk.services.settings import SettingsService
from surgdesk.services.templates import TemplateService
from surgdesk.services.users import UserService


@dataclass(frozen=True)
class Services:
    db: Database
    clock: Clock
    auth: AuthService
    users: UserService
    rooms: RoomService
    blocks: BlockService
    equipment: EquipmentService
    cards: PreferenceCardService
    settings: SettingsService
    cases: CaseService
    case_search: CaseSearchService
    checks: CaseCheckService
    checklists: ChecklistService
    templates: TemplateService
    changes: ChangeService

    @classmethod
    def create(cls, db: Database, clock: Clock | None = None, *,
               machine: DepartmentConfig | None = None) -> Services:
        """``machine``: this PC's department config, which narrows the session policy."""
        clock = clock or SystemClock()
        return cls(
            db=db,
            clock=clock,
            auth=AuthService(db, clock, machine=machine),
            users=UserService(db, clock),
            rooms=RoomService(db, clock),
            blocks=BlockService(db, clock),
            equipment=EquipmentService(db, clock),
            cards=PreferenceCardService(db, clock),
            settings=SettingsService(db, clock, machine=machine),
            cases=CaseService(db, clock),
            case_search=CaseSearchService(db, clock),
            checks=CaseCheckService(db, clock),
            checklists=ChecklistService(db, clock),
            templates=TemplateService(db, clock),
            changes=ChangeService(db),
        )

    def close(self) -> None:
        self.db.dispose()
