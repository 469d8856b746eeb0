"""The main window's menus and actions: each ``QAction`` declared once, here, with the
object name tests and scripts find it by, and enabled in one place (``update``) from the
actor's rights and the outage.

Built after the window's other parts: each action is connected to the part that does
the job (printing, session, cases, dialogs, docks, wall display).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from surgdesk.domain.permissions import Action, allowed
from surgdesk.ui.board.lanes import LaneMode
from surgdesk.ui.board.view import BoardMode

if TYPE_CHECKING:
    from surgdesk.ui.main_window import MainWindow

ZOOM_STEP = 1.25

# The board's lanes (rows by rooms, surgeons, anesthetists or equipment), kept for the next
# start; rooms when nothing (or something unknown) is stored.
LANES_KEY = "board/lanes"
LANES_DEFAULT = LaneMode.ROOMS
LANE_ACTIONS: dict[LaneMode, tuple[str, str, str]] = {  # text, object name, shortcut
    LaneMode.ROOMS: ("&Rooms", "lanesRooms", "Ctrl+Alt+1"),
    LaneMode.SURGEONS: ("&Surgeons", "lanesSurgeons", "Ctrl+Alt+2"),
    LaneMode.ANESTHETISTS: ("&Anesthetists", "lanesAnesthetists", "Ctrl+Alt+3"),
    LaneMode.EQUIPMENT: ("&Equipment", "lanesEquipment", "Ctrl+Alt+4"),
}


def stored_lanes() -> LaneMode:
    value = QSettings().value(LANES_KEY, LANES_DEFAULT.value)
    try:
        return LaneMode(str(value))
    except ValueError:
        return LANES_DEFAULT


def store_lanes(mode: LaneMode) -> None:
    QSettings().setValue(LANES_KEY, mode.value)

Shortcut = QKeySequence | QKeySequence.StandardKey | str | None

# Actions that read the database: off while it is unreachable (the board keeps its data).
NEEDS_DATABASE = ("dayView", "weekView", "previous", "next", "today", "goToDate", "zoomFit",
                  "refresh", "exportBoard", "showMyCases", "showCaseTable", "switchUser",
                  "wallDisplay", "manageBlocks")


class WindowActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        bar = window.menuBar()
        self._file(bar.addMenu("&File"))
        self._edit(bar.addMenu("&Edit"))
        self._view(bar.addMenu("&View"))
        self._case(bar.addMenu("&Case"))
        self._admin(bar.addMenu("&Admin"))
        self._help(bar.addMenu("&Help"))
        self.needs_database = [a for a in window.findChildren(QAction)
                               if a.objectName() in NEEDS_DATABASE]

    def _add(self, menu: QMenu, text: str, slot: Callable[[], object],
             shortcut: Shortcut = None, name: str = "") -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        action.setObjectName(name)
        menu.addAction(action)
        return action

    # -- the menus --------------------------------------------------------------------------

    def _file(self, menu: QMenu) -> None:
        w = self.window
        menu.setToolTipsVisible(True)  # a disabled action says why
        self.export_board = self._add(menu, "&Export board…", w.printing.export_board,
                                      "Ctrl+E", "exportBoard")
        self.print_daylist = self._add(menu, "&Print day list…", w.printing.print_daylist,
                                       QKeySequence.StandardKey.Print, "printDaylist")
        self.export_daylist = self._add(menu, "Day list as P&DF…",
                                        w.printing.export_daylist, None, "exportDaylist")
        menu.addSeparator()
        self.database = self._add(menu, "&Database…", w.user_session.choose_database, None,
                                  "connectionSettings")
        menu.addSeparator()
        self.switch_user = self._add(menu, "S&witch user…", w.user_session.switch_user,
                                     None, "switchUser")
        self.sign_out = self._add(menu, "Sign &out", w.user_session.sign_out, None,
                                  "signOut")
        menu.addSeparator()
        self.quit = self._add(menu, "&Quit", w.close, QKeySequence.StandardKey.Quit, "quit")

    def _edit(self, menu: QMenu) -> None:
        stack = self.window.controller.undo_stack
        self.undo = stack.createUndoAction(self.window, "&Undo")
        self.undo.setObjectName("undo")
        self.undo.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo = stack.createRedoAction(self.window, "&Redo")
        self.redo.setObjectName("redo")
        self.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        menu.addAction(self.undo)
        menu.addAction(self.redo)
        # After the actions' own connections: the stack enables them, this takes downtime
        # into account.
        stack.canUndoChanged.connect(self.sync_undo)
        stack.canRedoChanged.connect(self.sync_undo)

    def _view(self, menu: QMenu) -> None:
        w = self.window
        menu.setToolTipsVisible(True)
        group = QActionGroup(self)
        self.day = self._add(menu, "&Day", lambda: w.set_mode(BoardMode.DAY), "Ctrl+1",
                             "dayView")
        self.week = self._add(menu, "&Week", lambda: w.set_mode(BoardMode.WEEK), "Ctrl+2",
                              "weekView")
        for action in (self.day, self.week):
            action.setCheckable(True)
            group.addAction(action)
        self.day.setChecked(True)
        self._lanes(menu.addMenu("&Lanes"))
        menu.addSeparator()
        self.previous = self._add(menu, "&Previous", lambda: w.step(-1), "Alt+Left",
                                  "previous")
        self.next = self._add(menu, "&Next", lambda: w.step(1), "Alt+Right", "next")
        self.today = self._add(menu, "&Today", w.go_today, "Ctrl+T", "today")
        self.go_to_date = self._add(menu, "Go to &date…", w.dialogs.go_to_date, "Ctrl+G",
                                    "goToDate")
        menu.addSeparator()
        self.zoom_in = self._add(menu, "Zoom &in", lambda: w.board.zoom_by(ZOOM_STEP),
                                 QKeySequence.StandardKey.ZoomIn, "zoomIn")
        self.zoom_out = self._add(menu, "Zoom &out", lambda: w.board.zoom_by(1 / ZOOM_STEP),
                                  QKeySequence.StandardKey.ZoomOut, "zoomOut")
        self.zoom_fit = self._add(menu, "&Fit to window", w.load, "Ctrl+0", "zoomFit")
        self.refresh = self._add(menu, "&Refresh", w.refresh,
                                 QKeySequence.StandardKey.Refresh, "refresh")
        menu.addSeparator()
        menu.addAction(w.docks.queue.toggleViewAction())
        self.my_cases = self._add(menu, "&My cases", w.docks.show_my_cases, "Ctrl+M",
                                  "showMyCases")
        self.case_table = self._add(menu, "&Case list", w.docks.show_case_table, "Ctrl+L",
                                    "showCaseTable")
        menu.addSeparator()
        self.wall = self._add(menu, "&Wall display…", w.wall_display.open_wall, None,
                              "wallDisplay")

    def _lanes(self, menu: QMenu) -> None:
        """Rows by rooms (the default), surgeons, anesthetists or equipment units."""
        menu.setObjectName("lanesMenu")
        self.lanes_menu = menu
        self.lanes_group = QActionGroup(self)
        self.lanes: dict[LaneMode, QAction] = {}
        for mode, (text, name, key) in LANE_ACTIONS.items():
            action = self._add(menu, text, self._lanes_setter(mode), key, name)
            action.setCheckable(True)
            action.setToolTip(f"Board rows by {mode.title.lower()}")
            self.lanes_group.addAction(action)
            self.lanes[mode] = action
        self.lanes[LaneMode.ROOMS].setChecked(True)

    def _lanes_setter(self, mode: LaneMode) -> Callable[[], object]:
        return lambda: self.window.set_lanes(mode)

    def show_lanes(self, mode: LaneMode) -> None:
        self.lanes[mode].setChecked(True)

    def _case(self, menu: QMenu) -> None:
        cases = self.window.cases
        self.case_menu = menu
        menu.setToolTipsVisible(True)
        self.new_case = self._add(menu, "&New case…", cases.new_case,
                                  QKeySequence.StandardKey.New, "newCase")
        self.open_case = self._add(menu, "&Open", cases.open_selected, None, "openCase")
        self.status_menu = menu.addMenu("Change &status")
        self.status_menu.aboutToShow.connect(cases.fill_status_menu)

    def _admin(self, menu: QMenu) -> None:
        dialogs = self.window.dialogs
        self.admin_menu = menu
        menu.setObjectName("adminMenu")
        menu.setToolTipsVisible(True)
        self.admin: list[tuple[QAction, Action]] = []
        for text, guard, opener, name in (
            ("&Rooms and closures…", Action.MANAGE_ROOMS, dialogs.open_rooms, "manageRooms"),
            ("&Users…", Action.MANAGE_USERS, dialogs.open_users, "manageUsers"),
            ("Checklist &templates…", Action.MANAGE_TEMPLATES, dialogs.open_templates,
             "manageTemplates"),
            ("Department &settings…", Action.MANAGE_SETTINGS, dialogs.open_settings,
             "manageSettings"),
            ("&Equipment…", Action.MANAGE_EQUIPMENT, dialogs.open_equipment,
             "manageEquipment"),
        ):
            self.admin.append((self._add(menu, text, opener, None, name), guard))
        menu.addSeparator()  # blocks: surgeons too (their own), so not guarded like the rest
        self.blocks = self._add(menu, "&Blocks and releases…", dialogs.open_blocks, None,
                                "manageBlocks")
        self.cards = self._add(menu, "&Preference cards…", dialogs.open_cards, None,
                               "manageCards")

    def _help(self, menu: QMenu) -> None:
        dialogs = self.window.dialogs
        self.legend = self._add(menu, "Board &legend", dialogs.show_legend, None, "legend")
        self.about = self._add(menu, "&About SurgDesk", dialogs.show_about, None, "about")

    # -- what may be done now -----------------------------------------------------------------

    def show_mode(self, mode: BoardMode) -> None:
        self.day.setChecked(mode is BoardMode.DAY)
        self.week.setChecked(mode is BoardMode.WEEK)

    def apply_actor(self) -> None:
        """The admin screens the actor's role may open are the ones offered."""
        from surgdesk.ui.manage import may_open
        from surgdesk.ui.manage.blocks import may_open_blocks
        from surgdesk.ui.manage.cards import may_open_cards

        actor = self.window.actor
        for action, guard in self.admin:
            action.setVisible(may_open(actor, guard))
        self.blocks.setVisible(may_open_blocks(actor))
        self.cards.setVisible(may_open_cards(actor))
        self.admin_menu.menuAction().setVisible(
            may_open_blocks(actor) or may_open_cards(actor)
            or any(may_open(actor, guard) for _a, guard in self.admin))
        self.update()

    def update(self) -> None:
        """What may be done now: the actor's role, less — while the database is
        unreachable — everything that writes or reads it. The one place both decide
        (sign-in, unlock, downtime and its end all come here). Scroll and zoom in place
        always work; the idle lock disables everything on its own meanwhile."""
        w = self.window
        if w.locked:
            return  # the idle lock holds every action; unlocking comes back here
        online = not w.offline
        actor = w.actor
        can_schedule = w.controller.can_schedule and online
        w.board.set_editable(can_schedule)
        w.docks.queue.list.setDragEnabled(can_schedule)
        why = "" if online else f"Not available: {w.session.offline_reason()}"
        self.new_case.setEnabled(allowed(actor.role, Action.REQUEST_CASE)
                                 and not actor.is_device and online)
        self.new_case.setToolTip(why)
        self.status_menu.menuAction().setEnabled(online)
        self.status_menu.menuAction().setToolTip(why)
        for action in (*(a for a, _guard in self.admin), *self.needs_database):
            action.setEnabled(online)  # every admin screen writes; the others read
            action.setToolTip(why)
        self.sync_undo()

    def sync_undo(self) -> None:
        w = self.window
        if w.locked:
            return
        stack = w.controller.undo_stack
        self.undo.setEnabled(stack.canUndo() and not w.offline)
        self.redo.setEnabled(stack.canRedo() and not w.offline)
