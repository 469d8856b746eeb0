"""A read-only view of one case, opened from the board (Enter or double-click).

The full case form with editing and checklist ticking belongs to ``ui/case/``; the main
window's ``case_form_factory`` hook lets it replace this dialog.
"""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from surgdesk.domain.enums import ItemStatus
from surgdesk.services.dto import CaseDetail
from surgdesk.ui.board import palette
from surgdesk.ui.board.delegate import CONFLICT_TEXT
from surgdesk.ui.board.model import laterality_suffix, patient_label


def _esc(value: object) -> str:
    return html.escape(str(value)) if value is not None else "—"


def case_html(detail: CaseDetail, tz: ZoneInfo) -> str:
    case = detail.case
    def when(value: object) -> str:
        if value is None:
            return "—"
        from datetime import datetime

        assert isinstance(value, datetime)
        return f"{value.astimezone(tz):%a %d %b %Y %H:%M}"

    parts = [
        f"<h2>{_esc(case.procedure_name)}{_esc(laterality_suffix(case))}</h2>",
        f"<p><b>{_esc(case.case_number)}</b> · {palette.style_for(case.status).label}"
        f" · priority <b>{_esc(case.priority.value)}</b> · {_esc(case.specialty)}</p>",
        "<table cellspacing='4'>",
        f"<tr><td>Patient</td><td><b>{_esc(patient_label(case))}</b>"
        + (f" · born {case.patient_dob:%d %b %Y}" if case.patient_dob else "") + "</td></tr>",
        f"<tr><td>Room</td><td>{_esc(case.room_code)}</td></tr>",
        f"<tr><td>Scheduled</td><td>{when(case.scheduled_start)} – {when(case.scheduled_end)}"
        f" ({case.estimated_duration_min} min estimated)</td></tr>",
        f"<tr><td>Actual</td><td>{when(case.actual_start)} – {when(case.actual_end)}</td></tr>",
        f"<tr><td>Lead surgeon</td><td>{_esc(case.lead_surgeon_name)}</td></tr>",
        f"<tr><td>Anesthetist</td><td>{_esc(case.anesthetist_name)}</td></tr>",
        "</table>",
    ]
    if case.conflicts:
        parts.append("<p><b>Warnings</b><br>" + "<br>".join(
            f"⚠ {_esc(CONFLICT_TEXT.get(code, code))}" for code in case.conflicts) + "</p>")
    parts.append("<h3>Care team</h3><ul>")
    for member in detail.team:
        confirmed = "" if member.confirmed else " (not confirmed)"
        parts.append(f"<li>{_esc(member.display_name)} — {_esc(member.role.value)}{confirmed}</li>")
    parts.append("</ul>")
    parts.append(f"<h3>Checklists — {case.checklist_done}/{case.checklist_total} required "
                 "items done</h3>")
    for checklist in detail.checklists:
        done = sum(1 for i in checklist.items if i.status is ItemStatus.DONE)
        signed = (f", signed off by {_esc(checklist.signed_off_by)}"
                  if checklist.signed_off_by else "")
        parts.append(f"<p><b>{_esc(checklist.phase.value)}</b>: {done}/{len(checklist.items)}"
                     f" done ({_esc(checklist.status.value)}{signed})</p><ul>")
        for item in checklist.items:
            mark = {"done": "☑", "blocked": "⛔"}.get(item.status.value, "☐")
            optional = "" if item.is_required else " <i>(optional)</i>"
            parts.append(f"<li>{mark} {_esc(item.section)}: {_esc(item.label)}{optional}</li>")
        parts.append("</ul>")
    if detail.notes:
        parts.append("<h3>Notes</h3><ul>")
        for note in detail.notes:
            parts.append(f"<li>{when(note.created_at)} {_esc(note.author_name)} "
                         f"({_esc(note.note_type.value)}): {_esc(note.message)}</li>")
        parts.append("</ul>")
    return "".join(parts)


class CaseDetailsDialog(QDialog):
    def __init__(self, detail: CaseDetail, tz: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseDetails")
        self.detail = detail
        self.setWindowTitle(f"{detail.case.case_number} — {detail.case.procedure_name}")
        self.browser = QTextBrowser()
        self.browser.setObjectName("caseDetailsText")
        self.browser.setHtml(case_html(detail, tz))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(620, 680)
