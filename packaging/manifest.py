"""What a SurgDesk install contains and where each part goes, on every OS.

The one source of truth for the installers: ``build.py`` lays out the ``.deb`` from
``deb_layout()``, ``recipes.py`` writes the Inno Setup script and the macOS recipe from
``windows_layout()`` and ``macos_layout()``, and the tests check the three agree with
``payload()`` and with the package version.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version
from pathlib import Path

from surgdesk.display_check import CORE_LIBRARIES, XCB_LIBRARIES

ROOT = Path(__file__).resolve().parents[1]

NAME = "SurgDesk"
PACKAGE = "surgdesk"  # distribution, command, bundle folder and Debian package name
BUNDLE_ID = "org.surgdesk.SurgDesk"
# Inno Setup AppId: fixed forever, so a new version upgrades the old one in place.
WINDOWS_APP_ID = "{8C1F1E0A-5D2B-4C61-9E55-3B7E2A9D4F10}"
PUBLISHER = "SurgDesk"
# Windows: surgdesk.exe is the console program (CLI, self-check); the Start menu starts
# this windowed twin from the same folder so no console window appears.
WINDOWS_GUI_EXE = "surgdesk-gui.exe"
MAINTAINER = "SurgDesk release engineering <release@surgdesk.invalid>"
HOMEPAGE = "https://surgdesk.invalid/"
SUMMARY = "operating-room scheduling: Gantt board, WHO checklists, wall display"
DESCRIPTION = (
    "OR schedulers plan surgical cases into rooms on a Gantt board, clinical staff work\n"
    "the WHO Surgical Safety Checklist, and a wall display shows the live board. Runs on\n"
    "a local SQLite file or a shared department Postgres."
)
DESKTOP_CATEGORIES = "Office;Calendar;Qt;"
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)
# Per-user data the installers never touch (uninstall and upgrade leave it alone).
USER_DATA = {
    "linux": "~/.local/share/SurgDesk",
    "windows": r"%LOCALAPPDATA%\SurgDesk",
    "macos": "~/Library/Application Support/SurgDesk",
}
# Machine-wide department config (surgdesk.config.standard_config_path); never installed,
# only the example is: IT writes the real file.
DEPARTMENT_CONFIG = {
    "linux": "/etc/surgdesk/surgdesk.toml",
    "windows": r"%ProgramData%\SurgDesk\surgdesk.toml",
    "macos": "/Library/Application Support/SurgDesk/surgdesk.toml",
}


def pyproject_version() -> str:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    value: str = data["project"]["version"]
    return value


def version() -> str:
    """The package version (what Help → About shows); refuses stale install metadata."""
    declared = pyproject_version()
    try:
        installed = dist_version(PACKAGE)
    except PackageNotFoundError:
        return declared
    if installed != declared:
        raise RuntimeError(
            f"installed surgdesk metadata says {installed} but pyproject.toml says {declared}: "
            "run `uv sync` before building"
        )
    return installed


def debian_version(value: str) -> str:
    """PEP 440 to Debian ordering: 1.2.0rc1 -> 1.2.0~rc1 (sorts before 1.2.0)."""
    return re.sub(r"(?<=\d)\.?(a|b|rc|dev)(\d*)", r"~\1\2", value)


def windows_version(value: str) -> str:
    """Four numeric fields for the Windows version resource: 1.2.0rc1 -> 1.2.0.0."""
    numbers = [int(n) for n in re.findall(r"\d+", value.split("+")[0])[:3]]
    numbers += [0] * (4 - len(numbers))
    return ".".join(str(n) for n in numbers[:4])


@dataclass(frozen=True)
class Item:
    """One thing an install carries: a stable role name and its source in the build."""

    role: str
    source: str  # relative to the repository root; the bundle lives in dist/
    is_dir: bool = False


def payload() -> list[Item]:
    """Everything any installer takes, by role."""
    items = [
        Item("bundle", f"dist/{PACKAGE}", is_dir=True),
        Item("icon-svg", "resources/icons/surgdesk.svg"),
        Item("icon-ico", "resources/icons/surgdesk.ico"),
        Item("iconset", "resources/icons/surgdesk.iconset", is_dir=True),
        Item("config-example", "resources/templates/surgdesk.toml.example"),
        Item("it-readme", "packaging/README-IT.md"),
    ]
    items += [Item(f"icon-png-{size}", f"resources/icons/png/{PACKAGE}-{size}.png")
              for size in ICON_SIZES]
    return items


def deb_layout() -> dict[str, str]:
    """Role -> path inside the .deb (relative to /)."""
    layout = {
        "bundle": f"opt/{PACKAGE}",
        "icon-svg": f"usr/share/icons/hicolor/scalable/apps/{PACKAGE}.svg",
        "config-example": f"usr/share/doc/{PACKAGE}/surgdesk.toml.example",
        "it-readme": f"usr/share/doc/{PACKAGE}/README-IT.md",
    }
    for size in ICON_SIZES:
        layout[f"icon-png-{size}"] = f"usr/share/icons/hicolor/{size}x{size}/apps/{PACKAGE}.png"
    return layout


# Files the .deb makes itself rather than copies (command, menu entry).
DEB_GENERATED = {
    "launcher": f"usr/bin/{PACKAGE}",  # symlink to /opt/surgdesk/surgdesk
    "desktop-entry": f"usr/share/applications/{PACKAGE}.desktop",
}


def windows_layout() -> dict[str, str]:
    """Role -> Inno Setup destination ({app} is the per-machine install folder)."""
    return {
        "bundle": "{app}",
        "icon-ico": "{app}\\surgdesk.ico",
        "config-example": "{app}\\surgdesk.toml.example",
        "it-readme": "{app}\\README-IT.md",
    }


def macos_layout() -> dict[str, str]:
    """Role -> path inside the .dmg (the app bundle and the docs beside it)."""
    return {
        "bundle": f"{NAME}.app/Contents",
        "iconset": f"{NAME}.app/Contents/Resources/{NAME}.icns",
        "config-example": f"{NAME}.app/Contents/Resources/surgdesk.toml.example",
        "it-readme": "README-IT.md",
    }


# Roles an OS leaves out, and why: every role is either placed or named here.
NOT_USED = {
    "linux": {"icon-ico": "Windows format", "iconset": "macOS format"},
    "windows": {
        "iconset": "macOS format",
        "icon-svg": "the .ico carries every size",
        **{f"icon-png-{s}": "the .ico carries every size" for s in ICON_SIZES},
    },
    "macos": {
        "icon-ico": "Windows format",
        "icon-svg": "the .icns carries every size",
        **{f"icon-png-{s}": "the .icns carries every size" for s in ICON_SIZES},
    },
}

LAYOUTS = {"linux": deb_layout, "windows": windows_layout, "macos": macos_layout}


# Linux: libraries the .deb takes from the system rather than the bundle, by soname ->
# Debian package. These integrate with the desktop (X11/Wayland, input, fonts, D-Bus)
# and must match the system's own configuration and security updates; the bundle keeps
# everything else (Qt, Python, ICU, OpenSSL, libpq).
LINUX_SYSTEM_LIBS = {
    # What the start-up check needs (QtGui and the xcb plugin), declared once there.
    **CORE_LIBRARIES,
    **XCB_LIBRARIES,
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libcups.so.2": "libcups2",  # the print dialog's printer list (Qt's CUPS plugin)
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libgmodule-2.0.so.0": "libglib2.0-0",
    # PyInstaller never bundles these (its own exclude list): the GPU driver's GL/EGL.
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libOpenGL.so.0": "libopengl0",
}
# The C library and friends every Debian system has (Priority: required).
LINUX_BASE_LIBS = (
    "linux-vdso.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libc.so.6",
    "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libutil.so.1",
    "libresolv.so.2",
)


def deb_depends() -> list[str]:
    """The .deb's Depends: the system libraries above, plus a font for the board."""
    packages = sorted(set(LINUX_SYSTEM_LIBS.values()))
    return ["libc6 (>= 2.36)", *packages, "fonts-dejavu-core | fonts-liberation2"]
