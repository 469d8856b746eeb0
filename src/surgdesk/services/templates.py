"""Checklist templates: what new cases copy into their pre-op and post-op checklists.

Admins edit them (DESIGN.md: "manage users, templates"). Decisions where DESIGN.md leaves
room:

- A template item's ``item_code`` is a stable identifier (CLI, exports, gating): it is set
  when the item is added and never renamed. Codes are kept upper case, unique per template,
  retired items included (a retired code cannot come back as a different item).
- An item's section must be one of its phase's sections (pre_op: Readiness, Sign In,
  Time Out; post_op: Sign Out, Handoff): the status machine gates on section names, so a
  misspelt section would silently stop gating.
- Retiring only marks the template item: checklists already copied into cases are the
  cases' own and never change; new cases skip retired items (``copy_templates``).
- A specialty template starts as a copy of the live items of the general template of its
  phase (unless asked for an empty one), so an admin edits differences, not a blank page.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict

from surgdesk.domain import models as m
from surgdesk.domain.enums import Phase, Section
from surgdesk.domain.limits import CODE_MAX, NAME_MAX
from surgdesk.domain.permissions import Action
from surgdesk.errors import BadInput, Duplicate, FieldProblem, NotFound
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.base import Service, diff, snapshot, validate
from surgdesk.services.context import Actor
from surgdesk.services.fields import check_version, required_text

LABEL_MAX = 500
SPECIALTY_MAX = 64
ITEM_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")

PHASE_SECTIONS: dict[Phase, tuple[Section, ...]] = {
    Phase.PRE_OP: (Section.READINESS, Section.SIGN_IN, Section.TIME_OUT),
    Phase.POST_OP: (Section.SIGN_OUT, Section.HANDOFF),
}
_ITEM_FIELDS = ("item_code", "section", "label", "is_required", "position", "retired")


class TemplateItemView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    item_code: str
    section: str
    label: str
    is_required: bool
    position: int
    retired: bool
    version: int


class TemplateView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    phase: Phase
    specialty: str | None  # None: every specialty without a template of its own
    active: bool
    items: tuple[TemplateItemView, ...]  # by position, retired ones included
    version: int

    @property
    def live_items(self) -> tuple[TemplateItemView, ...]:
        return tuple(i for i in self.items if not i.retired)


def _item_code(value: str) -> str:
    value = value.strip().upper()
    if not value or len(value) > CODE_MAX or not ITEM_CODE_RE.match(value):
        raise ValueError(
            f"1 to {CODE_MAX} characters: letters, digits, '-' or '_' (e.g. RD-VTE)"
        )
    return value


class _ItemFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_code: Annotated[str, AfterValidator(_item_code)]
    section: Annotated[str, required_text(64)]
    label: Annotated[str, required_text(LABEL_MAX)]
    is_required: bool = True


class _TemplateFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phase: Phase
    specialty: Annotated[str, required_text(SPECIALTY_MAX)]
    name: Annotated[str, required_text(NAME_MAX)]


def item_view(item: m.TemplateItem) -> TemplateItemView:
    return TemplateItemView(
        id=item.id, item_code=item.item_code, section=item.section, label=item.label,
        is_required=item.is_required, position=item.position, retired=item.retired,
        version=item.version,
    )


def template_view(template: m.ChecklistTemplate) -> TemplateView:
    items = sorted(template.items, key=lambda i: (i.position, i.id))
    return TemplateView(
        id=template.id, name=template.name, phase=template.phase,
        specialty=template.specialty, active=template.active,
        items=tuple(item_view(i) for i in items), version=template.version,
    )


def _section(phase: Phase, value: str) -> str:
    """The canonical spelling of one of the phase's sections, or BadInput naming them."""
    wanted = value.strip().lower()
    for section in PHASE_SECTIONS[phase]:
        if section.value.lower() == wanted:
            return section.value
    names = ", ".join(s.value for s in PHASE_SECTIONS[phase])
    raise BadInput(FieldProblem("section", f"must be one of the {phase.value} sections: {names}"))


def _ordered(template: m.ChecklistTemplate) -> list[m.TemplateItem]:
    return sorted(template.items, key=lambda i: (i.position, i.id))


def _renumber(items: list[m.TemplateItem]) -> None:
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position


class TemplateService(Service):
    """Reading is open to every role (the CLI and case forms show the lists); every change
    needs ``Action.MANAGE_TEMPLATES`` (admins) and is audited with before and after."""

    # -- reading ----------------------------------------------------------------------

    def list_templates(self, actor: Actor) -> list[TemplateView]:
        self.require(actor, Action.SEE_BOARD, what="see checklist templates")
        with self.uow(read_only=True) as uow:
            views = [template_view(t) for t in uow.checklists.all_templates()]
        # pre_op before post_op (the database orders the names the other way round); the
        # general template first, then specialties by name.
        phases = list(Phase)
        return sorted(views, key=lambda t: (phases.index(t.phase), t.specialty is not None,
                                            (t.specialty or "").lower(), t.id))

    def get_template(self, actor: Actor, template_id: int) -> TemplateView:
        self.require(actor, Action.SEE_BOARD, what="see checklist templates")
        with self.uow(read_only=True) as uow:
            return template_view(self._template(uow, template_id))

    # -- templates --------------------------------------------------------------------

    def add_specialty_template(
        self,
        actor: Actor,
        *,
        phase: Phase | str,
        specialty: str,
        name: str | None = None,
        copy_general: bool = True,
    ) -> TemplateView:
        """A template of one phase for one specialty; new cases of it use this one."""
        self.require(actor, Action.MANAGE_TEMPLATES, what="add checklist templates")
        given_name = name if name is not None and name.strip() else None
        fields = validate(_TemplateFields, {
            "phase": phase, "specialty": specialty, "name": given_name or "-",
        })
        template_name = given_name.strip() if given_name else (
            f"{fields.specialty} — {fields.phase.value.replace('_', '-')}"
        )
        with self.uow() as uow:
            if uow.checklists.active_template(fields.phase, fields.specialty) is not None:
                raise Duplicate(
                    f"{fields.specialty} already has a {fields.phase.value} template",
                    field="specialty",
                )
            template = m.ChecklistTemplate(name=template_name, phase=fields.phase,
                                           specialty=fields.specialty, active=True)
            general = uow.checklists.active_template(fields.phase, None)
            if copy_general and general is not None:
                live = [i for i in _ordered(general) if not i.retired]
                template.items = [
                    m.TemplateItem(item_code=i.item_code, section=i.section, label=i.label,
                                   is_required=i.is_required, position=n, retired=False)
                    for n, i in enumerate(live, start=1)
                ]
            uow.checklists.add(template)
            uow.flush()
            self.audit(uow, actor, "add_template", template, {
                **diff({}, {"name": template.name, "phase": template.phase,
                            "specialty": template.specialty}),
                "items": {"before": None, "after": [i.item_code for i in _ordered(template)]},
            })
            uow.commit()
            return template_view(template)

    # -- items ------------------------------------------------------------------------

    def add_item(
        self,
        actor: Actor,
        template_id: int,
        *,
        item_code: str,
        section: str,
        label: str,
        is_required: bool = True,
        position: int | None = None,
    ) -> TemplateView:
        """A new item, at ``position`` (1-based) or at the end of its section."""
        self.require(actor, Action.MANAGE_TEMPLATES, what="change checklist templates")
        fields = validate(_ItemFields, {
            "item_code": item_code, "section": section, "label": label,
            "is_required": is_required,
        })
        with self.uow() as uow:
            template = self._template(uow, template_id)
            section_name = _section(template.phase, fields.section)
            items = _ordered(template)
            if any(i.item_code.upper() == fields.item_code for i in items):
                raise Duplicate(
                    f"item code {fields.item_code} is already used in this template "
                    "(retired items keep their code)", field="item_code",
                )
            if position is None:
                index = self._end_of_section(template.phase, items, section_name)
            elif 1 <= position <= len(items) + 1:
                index = position - 1
            else:
                raise BadInput(FieldProblem("position", f"must be 1 to {len(items) + 1}"))
            item = m.TemplateItem(item_code=fields.item_code, section=section_name,
                                  label=fields.label, is_required=fields.is_required,
                                  position=index + 1, retired=False)
            items.insert(index, item)
            template.items.append(item)
            _renumber(items)
            uow.flush()
            self.audit(uow, actor, "add_template_item", item, {
                "template_id": template.id,
                **diff({}, snapshot(item, _ITEM_FIELDS)),
            })
            uow.commit()
            return template_view(template)

    def update_item(
        self,
        actor: Actor,
        item_id: int,
        *,
        label: str | None = None,
        section: str | None = None,
        is_required: bool | None = None,
        expected_version: int | None = None,
    ) -> TemplateView:
        """Change an item's label, section or whether it is required (None: unchanged)."""
        self.require(actor, Action.MANAGE_TEMPLATES, what="change checklist templates")
        with self.uow() as uow:
            item = self._item(uow, item_id)
            check_version(item, expected_version, f"template item {item.item_code}")
            before = snapshot(item, _ITEM_FIELDS)
            fields = validate(_ItemFields, {
                "item_code": item.item_code,
                "section": section if section is not None else item.section,
                "label": label if label is not None else item.label,
                "is_required": is_required if is_required is not None else item.is_required,
            })
            item.section = _section(item.template.phase, fields.section)
            item.label = fields.label
            item.is_required = fields.is_required
            return self._finish(uow, actor, "update_template_item", item, before)

    def set_required(self, actor: Actor, item_id: int, required: bool) -> TemplateView:
        return self.update_item(actor, item_id, is_required=required)

    def retire_item(self, actor: Actor, item_id: int, *, retired: bool = True) -> TemplateView:
        """Retire (or bring back) an item. Checklists already on cases keep their copy."""
        self.require(actor, Action.MANAGE_TEMPLATES, what="change checklist templates")
        with self.uow() as uow:
            item = self._item(uow, item_id)
            before = snapshot(item, _ITEM_FIELDS)
            item.retired = retired
            action = "retire_template_item" if retired else "restore_template_item"
            return self._finish(uow, actor, action, item, before)

    def move_item(self, actor: Actor, item_id: int, offset: int) -> TemplateView:
        """Move an item ``offset`` places up (negative) or down (positive), clamped."""
        self.require(actor, Action.MANAGE_TEMPLATES, what="change checklist templates")
        with self.uow() as uow:
            item = self._item(uow, item_id)
            items = _ordered(item.template)
            index = items.index(item)
            target = max(0, min(len(items) - 1, index + offset))
            items.insert(target, items.pop(index))
            return self._reorder(uow, actor, item.template, items)

    def reorder_items(
        self, actor: Actor, template_id: int, item_codes: list[str]
    ) -> TemplateView:
        """Put the template's items in this order; every code exactly once."""
        self.require(actor, Action.MANAGE_TEMPLATES, what="change checklist templates")
        with self.uow() as uow:
            template = self._template(uow, template_id)
            by_code = {i.item_code.upper(): i for i in template.items}
            wanted = [c.strip().upper() for c in item_codes]
            if sorted(wanted) != sorted(by_code):
                missing = sorted(set(by_code) - set(wanted))
                extra = sorted(set(wanted) - set(by_code))
                detail = "; ".join(filter(None, [
                    f"missing {', '.join(missing)}" if missing else "",
                    f"unknown {', '.join(extra)}" if extra else "",
                ])) or "each code exactly once"
                raise BadInput(FieldProblem("item_codes", f"must list every item once: {detail}"))
            return self._reorder(uow, actor, template, [by_code[c] for c in wanted])

    # -- helpers ----------------------------------------------------------------------

    def _reorder(self, uow: UnitOfWork, actor: Actor, template: m.ChecklistTemplate,
                 items: list[m.TemplateItem]) -> TemplateView:
        before = [i.item_code for i in _ordered(template)]
        _renumber(items)
        after = [i.item_code for i in items]
        if after != before:
            uow.flush()
            self.audit(uow, actor, "reorder_template_items", template,
                       {"order": {"before": before, "after": after}})
            uow.commit()
        return template_view(template)

    def _finish(self, uow: UnitOfWork, actor: Actor, action: str, item: m.TemplateItem,
                before: dict[str, Any]) -> TemplateView:
        changed = diff(before, snapshot(item, _ITEM_FIELDS))
        if changed:
            uow.flush()
            self.audit(uow, actor, action, item, {
                "template_id": item.template_id, "item_code": item.item_code, **changed,
            })
            uow.commit()
        return template_view(item.template)

    @staticmethod
    def _end_of_section(phase: Phase, items: list[m.TemplateItem], section: str) -> int:
        """Where a new item of ``section`` goes: after the section's last item, else after
        the items of the sections before it in the phase."""
        order = [s.value for s in PHASE_SECTIONS[phase]]
        rank = order.index(section)
        index = 0
        for n, item in enumerate(items, start=1):
            item_rank = order.index(item.section) if item.section in order else len(order)
            if item_rank <= rank:
                index = n
        return index

    @staticmethod
    def _template(uow: UnitOfWork, template_id: int) -> m.ChecklistTemplate:
        template = uow.checklists.template(template_id)
        if template is None:
            raise NotFound(FieldProblem("template", f"no checklist template {template_id}"))
        return template

    @staticmethod
    def _item(uow: UnitOfWork, item_id: int) -> m.TemplateItem:
        item = uow.checklists.template_item(item_id)
        if item is None:
            raise NotFound(FieldProblem("item", f"no template item {item_id}"))
        return item
