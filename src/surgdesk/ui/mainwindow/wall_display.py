"""View > Wall display… from the desk: the wall for this database on its configured
monitor, signed in as a device, sharing the desk's services and closing with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QInputDialog

from surgdesk.errors import SurgDeskError
from surgdesk.startup import describe

if TYPE_CHECKING:
    from surgdesk.config import DepartmentConfig
    from surgdesk.ui.main_window import MainWindow
    from surgdesk.ui.wall import WallWindow


class WallLauncher(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.wall: WallWindow | None = None

    def open_wall(self) -> WallWindow | None:
        """The wall, signed in as a device (the kept device session, or its credentials
        asked once). A second call raises the one open."""
        wall = self.wall
        if wall is not None and shiboken6.isValid(wall) and wall.isVisible():
            wall.raise_()
            wall.activateWindow()
            return wall
        from surgdesk.ui.wall import WallWindow, sign_in_device

        w = self.window
        try:
            config = self._wall_config()
            if config is None:
                return None
            result = sign_in_device(w.services, w.database_url, w.store,
                                    database_label=describe(w.database_url))
            if result is None:
                return None
            wall = WallWindow(w.services, result.actor, clock=w.services.clock,
                              config=config, database_url=w.database_url)
        except SurgDeskError as exc:
            w.show_message(f"Wall display not opened — {exc}")
            return None
        wall.owns_services = False  # the services are the desk's: it disposes them
        self.wall = wall
        wall.show_on_wall()
        w.show_message(f"Wall display opened as {result.actor.display_name}")
        return wall

    def _wall_config(self) -> DepartmentConfig | None:
        """The department's wall settings; with several monitors, the one the user picks
        (the configured one offered first). None when the user cancels."""
        from surgdesk.config import DepartmentConfig, load_department_config

        config = load_department_config() or DepartmentConfig()
        screens = QGuiApplication.screens()
        if len(screens) < 2:
            return config
        names = [f"{n + 1}: {screen.name()} ({screen.geometry().width()}×"
                 f"{screen.geometry().height()})" for n, screen in enumerate(screens)]
        current = config.wall.monitor if config.wall.monitor < len(screens) else 0
        chosen, ok = QInputDialog.getItem(self.window, "Wall display",
                                          "Show the wall display on:", names, current, False)
        if not ok or chosen not in names:
            return None
        wall = config.wall.model_copy(update={"monitor": names.index(chosen)})
        return config.model_copy(update={"wall": wall})

    def close_wall(self) -> None:
        wall, self.wall = self.wall, None
        if wall is not None and shiboken6.isValid(wall):
            wall.shutdown()  # stops its feed and timers even if it is hidden
            wall.close()
