"""Case screens: the case form (``caseForm``) with its care team, checklists, notes and
history, the checklist widget (``checklistWidget``) and "My cases" (``myCases``).

The main window wires them: ``case_form_factory(services, actor, runner=window.runner)``
for its ``case_form_factory`` hook, ``MyCasesWidget.caseActivated`` to ``open_case``, and
each screen's ``caseChanged(case_number)`` to a board refresh. Every screen takes
``runner=`` (the window's ``ServiceRunner``): their service calls run off the GUI thread
and an unreachable database is reported once, by the runner.
"""

from surgdesk.ui.case.checklist import ChecklistWidget
from surgdesk.ui.case.form import CaseFormDialog, StaleChange, StaleChoice, case_form_factory
from surgdesk.ui.case.my_cases import MyCasesWidget

__all__ = [
    "CaseFormDialog",
    "ChecklistWidget",
    "MyCasesWidget",
    "StaleChange",
    "StaleChoice",
    "case_form_factory",
]
