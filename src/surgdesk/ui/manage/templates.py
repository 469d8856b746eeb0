"""Checklist templates (admin): per phase and optionally per specialty; add, edit, reorder,
mark required and retire items. Retiring never touches checklists already on cases.

Read and changed through a ``ServiceRunner`` (off the GUI thread)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.enums import Phase
from surgdesk.domain.permissions import Action
from surgdesk.services.context import Actor
from surgdesk.services.registry import Services
from surgdesk.services.templates import PHASE_SECTIONS, TemplateItemView, TemplateView
from surgdesk.ui.manage.common import (
    Column,
    FieldErrors,
    RowsModel,
    ServiceDialog,
    on_select,
    require_screen,
    select_key,
    table_view,
)
from surgdesk.ui.runner import ServiceRunner

PHASE_TEXT = {Phase.PRE_OP: "Pre-op", Phase.POST_OP: "Post-op"}


def template_title(t: TemplateView) -> str:
    return f"{PHASE_TEXT[t.phase]} — {t.specialty or 'all specialties'}"


def template_columns() -> list[Column[TemplateView]]:
    return [
        Column("Phase", lambda t: PHASE_TEXT[t.phase],
               sort=lambda t: list(Phase).index(t.phase)),
        Column("Specialty", lambda t: t.specialty or "all specialties"),
        Column("Items", lambda t: str(len(t.live_items)), sort=lambda t: len(t.live_items),
               align_right=True),
        Column("Name", lambda t: t.name),
    ]


def item_columns() -> list[Column[TemplateItemView]]:
    return [
        Column("#", lambda i: str(i.position), sort=lambda i: i.position, align_right=True),
        Column("Code", lambda i: i.item_code, muted=lambda i: i.retired),
        Column("Section", lambda i: i.section, muted=lambda i: i.retired),
        Column("Required", lambda i: "required" if i.is_required else "optional",
               muted=lambda i: i.retired),
        Column("State", lambda i: "retired" if i.retired else "in use",
               muted=lambda i: i.retired),
        Column("Label", lambda i: i.label, muted=lambda i: i.retired,
               tooltip=lambda i: i.label),
    ]


class TemplatesDialog(ServiceDialog):
    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None, *,
                 runner: ServiceRunner | None = None) -> None:
        require_screen(actor, Action.MANAGE_TEMPLATES, "checklist templates")
        super().__init__(parent)
        self.setObjectName("templatesDialog")
        self.setWindowTitle("Checklist templates — SurgDesk")
        self._init_calls(runner)
        self.service = services.templates
        self.actor = actor
        self.template: TemplateView | None = None
        self.item: TemplateItemView | None = None

        splitter = QSplitter()
        splitter.addWidget(self._templates_side())
        splitter.addWidget(self._items_side())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([460, 840])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("New cases copy the template of their specialty, else the "
                                "general one. Changes never alter checklists already on "
                                "cases."))
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.resize(1320, 760)
        self.busy_widgets = [self.save_button, self.add_button]
        self.reload(first=True)

    # -- building ---------------------------------------------------------------------

    def _templates_side(self) -> QWidget:
        self.templates = RowsModel(template_columns(), key=lambda t: t.id, parent=self)
        self.templates_view = table_view("templatesTable", self.templates)
        on_select(self.templates_view, TemplateView, self.show_template)
        box = QGroupBox("Add a specialty template")
        self.new_phase = QComboBox()
        self.new_phase.setObjectName("templatePhase")
        for phase in Phase:
            self.new_phase.addItem(PHASE_TEXT[phase], phase)
        self.new_specialty = QLineEdit()
        self.new_specialty.setObjectName("templateSpecialty")
        self.new_specialty.setPlaceholderText("e.g. cardiac")
        self.copy_general = QCheckBox("Start from the general template")
        self.copy_general.setObjectName("templateCopyGeneral")
        self.copy_general.setChecked(True)
        self.template_error = QLabel()
        self.template_error.setObjectName("templateError")
        self.template_errors = FieldErrors(self.template_error)
        self.add_button = add = QPushButton("Add template")
        add.setObjectName("templateAdd")
        add.clicked.connect(self.add_template)
        form = QFormLayout(box)
        form.addRow("Phase", self.template_errors.bind("phase", self.new_phase))
        form.addRow("Specialty", self.template_errors.bind("specialty", self.new_specialty))
        form.addRow("", self.copy_general)
        form.addRow(self.template_error)
        form.addRow("", add)
        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.templates_view, 1)
        layout.addWidget(box)
        return side

    def _items_side(self) -> QWidget:
        self.items = RowsModel(item_columns(), key=lambda i: i.id, parent=self)
        self.items_view = table_view("templateItemsTable", self.items)
        self.items_view.setSortingEnabled(False)  # the order IS the content
        on_select(self.items_view, TemplateItemView, self.show_item)
        self.up_button = QPushButton("Move up")
        self.up_button.setObjectName("itemUp")
        self.up_button.clicked.connect(lambda: self.move_item(-1))
        self.down_button = QPushButton("Move down")
        self.down_button.setObjectName("itemDown")
        self.down_button.clicked.connect(lambda: self.move_item(1))
        self.retire_button = QPushButton("Retire")
        self.retire_button.setObjectName("itemRetire")
        self.retire_button.clicked.connect(self.toggle_retired)
        new_item = QPushButton("New item")
        new_item.setObjectName("itemNew")
        new_item.clicked.connect(self.new_item)
        order_row = QHBoxLayout()
        for button in (self.up_button, self.down_button, self.retire_button):
            order_row.addWidget(button)
        order_row.addStretch(1)
        order_row.addWidget(new_item)

        self.item_box = QGroupBox("Item")
        self.code = QLineEdit()
        self.code.setObjectName("itemCode")
        self.code.setPlaceholderText("e.g. RD-VTE (fixed once added)")
        self.section = QComboBox()
        self.section.setObjectName("itemSection")
        self.label = QLineEdit()
        self.label.setObjectName("itemLabel")
        self.required = QCheckBox("Required (gates the status step of its section)")
        self.required.setObjectName("itemRequired")
        self.item_error = QLabel()
        self.item_error.setObjectName("itemError")
        self.item_errors = FieldErrors(self.item_error)
        e = self.item_errors
        self.save_button = QPushButton("Save item")
        self.save_button.setObjectName("itemSave")
        self.save_button.clicked.connect(self.save_item)
        form = QFormLayout()
        form.addRow("&Code", e.bind("item_code", self.code))
        form.addRow("&Section", e.bind("section", self.section))
        form.addRow("&Label", e.bind("label", self.label))
        form.addRow("", e.bind("is_required", self.required))
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        box_layout = QVBoxLayout(self.item_box)
        box_layout.addLayout(form)
        box_layout.addWidget(self.item_error)
        box_layout.addLayout(save_row)

        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.items_view, 1)
        layout.addLayout(order_row)
        layout.addWidget(self.item_box)
        return side

    # -- loading ----------------------------------------------------------------------

    def reload(self, select: int | None = None, *, first: bool = False) -> None:
        """Read the templates again; select ``select`` (or, ``first``, the first row)."""
        def show(templates: list[TemplateView]) -> None:
            self.templates.set_rows(templates)
            self.templates_view.resizeColumnsToContents()
            if select is not None:
                select_key(self.templates_view, select)
            elif first and self.templates.rowCount():
                self.templates_view.selectRow(0)

        self.read(lambda: self.service.list_templates(self.actor), show,
                  self.template_errors.show, "list the templates")

    def show_template(self, template: TemplateView, *, item_id: int | None = None) -> None:
        self.template = template
        self.items.set_rows(template.items)
        self.items_view.resizeColumnsToContents()
        self.section.clear()
        for section in PHASE_SECTIONS[template.phase]:
            self.section.addItem(section.value, section.value)
        self.item_box.setTitle(f"Item of {template_title(template)}")
        if item_id is not None and select_key(self.items_view, item_id):
            return
        self.new_item()

    def _refresh(self, template: TemplateView, item_id: int | None) -> None:
        """Show the service's answer: the list's counts, then the template's items."""
        def show(templates: list[TemplateView]) -> None:
            self.templates.set_rows(templates)
            select_key(self.templates_view, template.id)
            self.show_template(template, item_id=item_id)

        self.read(lambda: self.service.list_templates(self.actor), show,
                  self.item_errors.show, "list the templates")

    def show_item(self, item: TemplateItemView) -> None:
        self.item = item
        self.code.setText(item.item_code)
        self.code.setReadOnly(True)
        self.section.setCurrentIndex(max(0, self.section.findData(item.section)))
        self.label.setText(item.label)
        self.required.setChecked(item.is_required)
        self.save_button.setText("Save item")
        self.retire_button.setText("Bring back" if item.retired else "Retire")
        for button in (self.up_button, self.down_button, self.retire_button):
            button.setEnabled(True)
        self.item_errors.clear()

    def new_item(self) -> None:
        self.item = None
        self.items_view.clearSelection()
        self.code.clear()
        self.code.setReadOnly(False)
        self.label.clear()
        self.required.setChecked(True)
        self.save_button.setText("Add item")
        for button in (self.up_button, self.down_button, self.retire_button):
            button.setEnabled(False)
        self.item_errors.clear()

    # -- changing ---------------------------------------------------------------------

    def add_template(self) -> bool:
        phase, specialty = self.new_phase.currentData(), self.new_specialty.text()
        copy_general = self.copy_general.isChecked()

        def added(template: TemplateView) -> None:
            self.template_errors.clear()
            self.new_specialty.clear()
            self.reload(select=template.id)

        return self.write(lambda: self.service.add_specialty_template(
            self.actor, phase=phase, specialty=specialty, copy_general=copy_general),
            added, self.template_errors.show, "add the template")

    def save_item(self) -> bool:
        if self.template is None:
            return False
        template_id, item = self.template.id, self.item
        code, label = self.code.text(), self.label.text()
        section, required = self.section.currentData() or "", self.required.isChecked()
        if item is None:
            def added(template: TemplateView) -> None:
                wanted = code.strip().upper()
                self._refresh(template, next(
                    (i.id for i in template.items if i.item_code == wanted), None))

            return self.write(lambda: self.service.add_item(
                self.actor, template_id, item_code=code, section=section, label=label,
                is_required=required), added, self.item_errors.show, "add the item")
        return self.write(lambda: self.service.update_item(
            self.actor, item.id, label=label, section=section, is_required=required,
            expected_version=item.version),
            lambda template: self._refresh(template, item.id), self.item_errors.show,
            "save the item")

    def move_item(self, offset: int) -> bool:
        if self.item is None:
            return False
        item_id = self.item.id
        return self.write(lambda: self.service.move_item(self.actor, item_id, offset),
                          lambda template: self._refresh(template, item_id),
                          self.item_errors.show, "move the item")

    def toggle_retired(self) -> bool:
        if self.item is None:
            return False
        item_id, retired = self.item.id, not self.item.retired
        return self.write(lambda: self.service.retire_item(self.actor, item_id,
                                                           retired=retired),
                          lambda template: self._refresh(template, item_id),
                          self.item_errors.show, "retire the item")
