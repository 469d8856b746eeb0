"""Preference cards screen: admins and schedulers edit every card, surgeons their own."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from surgdesk.domain.permissions import Action, allowed
from surgdesk.services.context import Actor
from surgdesk.services.registry import Services
from surgdesk.ui.manage.common import ServiceDialog
from surgdesk.ui.runner import ServiceRunner


def may_open_cards(actor: Actor) -> bool:
    """Admins and schedulers (every card), and surgeons (their own)."""
    return not actor.is_device and allowed(actor.role, Action.MANAGE_CARDS, owns=True)


class CardsDialog(ServiceDialog):
    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None, *,
                 runner: ServiceRunner | None = None) -> None:
        raise NotImplementedError("the preference cards screen: issue 15")
