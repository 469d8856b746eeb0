"""The frozen app's entry point: the `surgdesk` command (GUI by default, CLI subcommands).

PyInstaller freezes this script; it hands over to ``surgdesk.cli.main.main`` at once.

``SURGDESK_STARTUP_PROBE=1`` measures cold start for the release notes: the first time
any window is exposed on screen the process prints ``startup-probe first-window <epoch>
<seconds since the interpreter started>`` and exits at once. The build script launches
the bundle under Xvfb and subtracts its own launch time from the epoch.
"""

from __future__ import annotations

import os
import sys
import time

_INTERPRETER_UP = time.perf_counter()


def _install_startup_probe() -> None:
    # The app builds its own QApplication; swapping in a subclass before any SurgDesk
    # module imports the name lets the probe watch for the first exposed window without
    # a hook in the app itself.
    from PySide6 import QtWidgets
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtGui import QWindow

    class _FirstWindow(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if (
                event.type() == QEvent.Type.Expose
                and isinstance(watched, QWindow)
                and watched.isExposed()
            ):
                now = time.time()
                sys.stdout.write(
                    f"startup-probe first-window {now:.3f} "
                    f"{time.perf_counter() - _INTERPRETER_UP:.3f}\n"
                )
                sys.stdout.flush()
                os._exit(0)  # measure only: no teardown, no dialogs, no writes
            return False

    base = QtWidgets.QApplication

    class ProbedApplication(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object) -> None:
            super().__init__(*args)
            self._first_window = _FirstWindow()
            self.installEventFilter(self._first_window)

    QtWidgets.QApplication = ProbedApplication  # type: ignore[misc, assignment]


def main() -> int:
    if os.environ.get("SURGDESK_STARTUP_PROBE") == "1":
        _install_startup_probe()
    from surgdesk.cli.main import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
