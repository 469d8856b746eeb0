"""Can the desktop app start here? Asked before Qt's widgets are imported.

Without a display, or without the system libraries Qt's X11 (xcb) platform plugin loads,
Qt prints "could not load the Qt platform plugin" and aborts the process (a core dump),
which sends people looking in the wrong place. ``problem()`` says instead, in one line,
what is missing — a display, the libraries and the command that installs them — and the
app exits with ``EXIT_CANNOT_START``.

Linux only: the Windows and macOS wheels carry everything Qt needs. The check is plain
data plus ``ctypes``, injectable (environment, platform, library loader) for tests.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

# The desktop app cannot start on this machine (no display, or Qt's system libraries
# missing). Apart from the CLI's 0-3 so a script can tell it from a refused command.
EXIT_CANNOT_START = 4

# soname -> the Debian/Ubuntu package that has it. QtGui itself needs these on any
# platform plugin (offscreen included).
CORE_LIBRARIES: dict[str, str] = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libX11.so.6": "libx11-6",
    "libxcb.so.1": "libxcb1",
}
# What the xcb plugin (Qt 6.5 and later) loads on top: ``ldd libqxcb.so``.
XCB_LIBRARIES: dict[str, str] = {
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}
# Platform plugins that draw into no window system, so need no display.
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "minimalegl", "vnc", "eglfs",
                                "linuxfb", "vkkhrdisplay"})

def _loads(name: str) -> bool:
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def _platform(env: Mapping[str, str]) -> str:
    """The platform plugin Qt will use: QT_QPA_PLATFORM's first choice ("xcb:..." or
    "wayland;xcb" name options and fallbacks), else xcb — or wayland in a Wayland session."""
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen:
        return chosen
    return "wayland" if env.get("WAYLAND_DISPLAY") else "xcb"


def missing_libraries(env: Mapping[str, str], loads: Callable[[str], bool] = _loads
                      ) -> dict[str, str]:
    """soname -> package of what the chosen platform needs and cannot be loaded."""
    wanted = dict(CORE_LIBRARIES)
    if _platform(env) == "xcb":
        wanted.update(XCB_LIBRARIES)
    return {name: package for name, package in wanted.items() if not loads(name)}


def _x_server_answers(display: str) -> bool:
    """An X server accepts a connection on ``display`` (libxcb's own connect, as Qt's
    plugin would; a connection that failed is an object with an error, never NULL)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True  # said as a missing library instead
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return int(xcb.xcb_connection_has_error(connection)) == 0
    finally:
        xcb.xcb_disconnect(connection)


def _wayland_answers(name: str) -> bool:
    """A compositor's socket is there (``name`` relative to XDG_RUNTIME_DIR)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    return os.path.exists(name if os.path.isabs(name) else os.path.join(runtime, name))


def _display_answers(platform: str, display: str) -> bool:
    """Someone answers on ``display``: an X server (xcb) or a Wayland compositor."""
    return _wayland_answers(display) if platform == "wayland" else _x_server_answers(display)


# (platform, display name) -> whether a server answers there.
Answers = Callable[[str, str], bool]


def display_problem(env: Mapping[str, str], *,
                    answers: Answers = _display_answers) -> str | None:
    """What is wrong with the display the platform plugin would open, or None."""
    platform = _platform(env)
    if platform in HEADLESS_PLATFORMS:
        return None
    if platform == "wayland":
        if not env.get("WAYLAND_DISPLAY"):
            return "no Wayland display (WAYLAND_DISPLAY is not set)"
        if not answers(platform, env["WAYLAND_DISPLAY"]):
            return f"no Wayland compositor at {env['WAYLAND_DISPLAY']} (WAYLAND_DISPLAY)"
        return None
    display = env.get("DISPLAY")
    if not display:
        return "no display (DISPLAY is not set)"
    if not answers(platform, display):
        return f"no X server answers on the display {display} (DISPLAY)"
    return None


def problem(env: Mapping[str, str] | None = None, *, system: str = sys.platform,
            loads: Callable[[str], bool] = _loads,
            answers: Answers = _display_answers) -> str | None:
    """One line saying why the desktop app cannot start here, or None when it can."""
    if not system.startswith("linux"):
        return None
    env = os.environ if env is None else env
    parts: list[str] = []
    missing = missing_libraries(env, loads)
    # Connecting needs libxcb itself; without it the library is the problem to name.
    reachable = answers if "libxcb.so.1" not in missing else (lambda _p, _d: True)
    if (display := display_problem(env, answers=reachable)) is not None:
        parts.append(f"{display}: the desktop app needs a graphical session (or "
                     "QT_QPA_PLATFORM=offscreen for a headless run)")
    if missing:
        packages = " ".join(sorted(set(missing.values())))
        parts.append(f"Qt's system libraries are missing ({', '.join(missing)}): install "
                     f"them with 'sudo apt-get install {packages}' (Debian/Ubuntu)")
    if not parts:
        return None
    return "surgdesk: cannot start the desktop app: " + "; ".join(parts)


def require_gui(env: Mapping[str, str] | None = None, *, system: str = sys.platform,
                loads: Callable[[str], bool] = _loads,
                answers: Answers = _display_answers) -> int | None:
    """``EXIT_CANNOT_START`` after saying ``problem()`` on standard error, or None when
    the app may go on."""
    found = problem(env, system=system, loads=loads, answers=answers)
    if found is None:
        return None
    print(found, file=sys.stderr)
    return EXIT_CANNOT_START
