"""Equipment screen: kinds, units (rooms, status, turnaround) and unit closures."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from surgdesk.services.context import Actor
from surgdesk.services.registry import Services
from surgdesk.ui.manage.common import ServiceDialog
from surgdesk.ui.runner import ServiceRunner


class EquipmentDialog(ServiceDialog):
    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None, *,
                 runner: ServiceRunner | None = None) -> None:
        raise NotImplementedError("the equipment screen: issue 15")
