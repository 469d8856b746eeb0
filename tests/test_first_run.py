"""First run where Qt cannot start (issue 13 item 5): one line naming what is missing and
how to install it, exit 4 — never Qt's abort (a core dump) while loading its plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from surgdesk import display_check
from surgdesk.display_check import EXIT_CANNOT_START, problem

FAKE_LIBRARY, FAKE_PACKAGE = "libsurgdesk-absent.so.9", "surgdesk-absent9"
# The desktop app as `surgdesk` starts it (no command), in a fresh interpreter.
RUN_APP = "import sys; from surgdesk.cli.main import main; sys.exit(main([]))"


def run_app(tmp_path: Path, prelude: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    clean.update(SURGDESK_DATA_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-c", prelude + RUN_APP], env=clean,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check is for Linux")
def test_no_display_says_so_in_one_line_and_exits_4(tmp_path: Path) -> None:
    done = run_app(tmp_path)
    assert done.returncode == EXIT_CANNOT_START, done.stderr  # not Qt's abort (-6)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "no display (DISPLAY is not set)" in lines[0]
    assert "qt.qpa" not in done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check is for Linux")
def test_a_headless_demo_says_so_before_building_the_demo(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RUN_APP.replace("main([])", "main(['--demo'])")],
        env={**{k: v for k, v in os.environ.items()
                if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")},
             "SURGDESK_DATA_DIR": str(tmp_path)},
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == EXIT_CANNOT_START, done.stderr
    assert "no display" in done.stderr
    assert not list(tmp_path.rglob("*.db"))  # no demo database built for nothing


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check is for Linux")
def test_a_missing_library_is_named_with_the_command_that_installs_it(
        tmp_path: Path) -> None:
    # A display is named where no X server answers, and the xcb plugin is made to need a
    # library no machine has: both are said, in one line, before Qt is loaded.
    fake = (f"from surgdesk import display_check; "
            f"display_check.XCB_LIBRARIES[{FAKE_LIBRARY!r}] = {FAKE_PACKAGE!r}; ")
    done = run_app(tmp_path, fake, DISPLAY=":97")
    assert done.returncode == EXIT_CANNOT_START, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert FAKE_LIBRARY in line
    assert "sudo apt-get install" in line
    assert FAKE_PACKAGE in line
    assert "no X server answers on the display :97" in line


def loads_all_but(*absent: str):  # type: ignore[no-untyped-def]
    return lambda name: name not in absent


def answers(_platform: str, _display: str) -> bool:
    return True


def test_a_display_and_every_library_is_no_problem() -> None:
    assert problem({"DISPLAY": ":0"}, system="linux", loads=loads_all_but(),
                   answers=answers) is None
    assert problem({"WAYLAND_DISPLAY": "wayland-0"}, system="linux", answers=answers,
                   loads=loads_all_but("libxcb-cursor.so.0")) is None  # xcb not used


def test_headless_platforms_need_no_display_nor_the_xcb_libraries() -> None:
    for platform in ("offscreen", "minimal", "vnc:size=800x600"):
        assert problem({"QT_QPA_PLATFORM": platform}, system="linux",
                       loads=loads_all_but("libxcb-icccm.so.4")) is None, platform


def test_qt_s_own_libraries_are_needed_even_offscreen() -> None:
    found = problem({"QT_QPA_PLATFORM": "offscreen"}, system="linux",
                    loads=loads_all_but("libEGL.so.1"))
    assert found is not None
    assert "libEGL.so.1" in found
    assert "sudo apt-get install libegl1" in found


def test_xcb_chosen_by_name_needs_its_libraries_and_a_display() -> None:
    found = problem({"QT_QPA_PLATFORM": "xcb"}, system="linux",
                    loads=loads_all_but("libxcb-cursor.so.0", "libxkbcommon-x11.so.0"))
    assert found is not None
    assert "no display" in found
    assert "apt-get install libxcb-cursor0 libxkbcommon-x11-0" in found
    assert "\n" not in found


def test_wayland_without_its_display_or_compositor_is_named() -> None:
    found = problem({"QT_QPA_PLATFORM": "wayland"}, system="linux", loads=loads_all_but())
    assert found is not None
    assert "WAYLAND_DISPLAY is not set" in found
    found = problem({"WAYLAND_DISPLAY": "wayland-9"}, system="linux", loads=loads_all_but(),
                    answers=lambda platform, display: platform != "wayland")
    assert found is not None
    assert "no Wayland compositor at wayland-9" in found


def test_windows_and_macos_are_not_checked() -> None:
    for system in ("win32", "darwin"):
        assert problem({}, system=system, loads=loads_all_but("libEGL.so.1")) is None


def test_require_gui_says_the_line_and_gives_the_exit_code(
        capsys: pytest.CaptureFixture[str]) -> None:
    code = display_check.require_gui({}, system="linux", loads=loads_all_but())
    assert code == EXIT_CANNOT_START
    assert capsys.readouterr().err.count("\n") == 1
    assert display_check.require_gui({"DISPLAY": ":0"}, system="linux",
                                      loads=loads_all_but(), answers=answers) is None


def test_a_display_nobody_answers_on_is_named() -> None:
    found = problem({"DISPLAY": ":42"}, system="linux", loads=loads_all_but(),
                    answers=lambda _platform, _display: False)
    assert found is not None
    assert "no X server answers on the display :42" in found
