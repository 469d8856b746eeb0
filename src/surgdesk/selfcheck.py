"""`surgdesk self-check`: what IT runs first after an install.

Runs without a display (Qt's offscreen platform) and checks, one line each, what an
install needs: the Qt platform and image plugins, the bundled resources, the department
config file, the keyring, the migrations (on a throwaway SQLite file), demo data and a
board rendered to an image. Exit code 0 when everything is there, 1 otherwise.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from surgdesk.repository.database import Database

DEMO_ROOMS = 3
DEMO_DAYS = 2
DEMO_SEED = 8
BOARD_SIZE = (1280, 720)
# Fewer distinct colours than this on a rendered board means nothing was drawn.
MIN_BOARD_COLOURS = 4


class CheckFailed(Exception):
    """A check found a problem; the message is the reason IT reads."""


@dataclass
class _Scratch:
    """What the database checks hand on to each other."""

    directory: Path
    database: Database | None = None
    demo_start: date | None = None
    notes: list[str] = field(default_factory=list)


def _ensure_qt_application(use_display: bool) -> Any:
    if not use_display:
        # Before the first Q*Application: the platform plugin is chosen at construction.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "surgdesk"])
    return app


def check_qt_platform(use_display: bool) -> str:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QGuiApplication

    app = _ensure_qt_application(use_display)
    if not isinstance(app, QGuiApplication):
        raise CheckFailed("a non-GUI Qt application is already running in this process")
    platform = QGuiApplication.platformName()
    if not platform:
        raise CheckFailed("no Qt platform plugin loaded")
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        raise CheckFailed(f"platform {platform!r} loaded but reports no screen")
    return f"platform {platform}, Qt {qVersion()}, PySide6 {pyside_version}"


def check_image_formats() -> str:
    from PySide6.QtGui import QImageReader

    from surgdesk.resources import app_icon_path, resource_path

    formats = {bytes(fmt.data()).decode() for fmt in QImageReader.supportedImageFormats()}
    missing = [name for name in ("png", "svg", "jpeg") if name not in formats]
    if missing:
        raise CheckFailed(f"no image plugin for {', '.join(missing)} (have {sorted(formats)})")
    # Decode real files, not only the format list: a listed plugin can still fail to load.
    for path in (app_icon_path(), resource_path("icons", "png", "surgdesk-32.png")):
        reader = QImageReader(str(path))
        image = reader.read()
        if image.isNull():
            raise CheckFailed(f"cannot decode {path.name}: {reader.errorString()}")
    return "png, svg, jpeg readable"


def check_resources() -> str:
    from surgdesk.resources import (
        STYLE_SHEET,
        load_palette,
        required_resources,
        resource_path,
        resources_dir,
    )

    try:
        root = resources_dir()
    except FileNotFoundError as exc:
        raise CheckFailed(str(exc)) from None
    required = required_resources()
    missing = ["/".join(parts) for parts in required if not root.joinpath(*parts).is_file()]
    if missing:
        raise CheckFailed(f"missing in {root}: {', '.join(missing)}")
    palette = load_palette()
    if "status" not in palette:
        raise CheckFailed("theme/palette.json has no status colours")
    if not resource_path(*STYLE_SHEET).read_text(encoding="utf-8").strip():
        raise CheckFailed("theme/surgdesk.qss is empty")
    return f"{len(required)} files (icons, theme, templates) in {root}"


def check_department_config(config_path: Path | None) -> str:
    from surgdesk.config import ConfigError, load_department_config
    from surgdesk.config import config_path as default_path

    path = config_path or default_path()
    try:
        config = load_department_config(config_path)
    except ConfigError as exc:
        raise CheckFailed(str(exc)) from None
    if config is None:
        return f"{path} not present (built-in defaults)"
    database = config.database_url or "per-user SQLite"
    return (
        f"{path}: database {database}, remember me {config.session.remember_me}, "
        f"idle lock {config.idle_lock_minutes} min, wall monitor {config.wall.monitor}"
    )


def check_keyring() -> str:
    from importlib.metadata import entry_points

    from surgdesk.credentials import CredentialStore

    # keyring finds its backends through entry points: none listed means the install
    # lost keyring's metadata, and every PC would fall back to the file silently.
    plugins = sorted(ep.name for ep in entry_points(group="keyring.backends"))
    if not plugins:
        raise CheckFailed("no keyring backends registered in this installation")
    store = CredentialStore()
    name = store.backend_name()
    if store.using_fallback():
        return (
            f"{name} (fallback: no usable OS keyring on this machine, so sessions and "
            f"passwords are kept in that file; backends known: {', '.join(plugins)})"
        )
    return name


def check_migrations(scratch: _Scratch) -> str:
    from surgdesk.repository import migrate
    from surgdesk.repository.database import Database, make_nullpool_engine

    path = scratch.directory / "selfcheck.db"
    engine = make_nullpool_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    migrate.check_schema(engine)
    scratch.database = Database(engine)
    return f"schema {migrate.head_revision()} applied to a temporary SQLite database"


def check_demo_data(scratch: _Scratch) -> str:
    if scratch.database is None:
        raise CheckFailed("skipped: the migrations did not apply")
    try:
        from surgdesk.services.demo import generate_demo
    except ModuleNotFoundError as exc:
        raise CheckFailed(f"demo data generator missing ({exc.name})") from None
    start = date.today()
    summary = generate_demo(
        scratch.database,
        rooms=DEMO_ROOMS,
        days=DEMO_DAYS,
        start=start,
        seed=DEMO_SEED,
        password="selfcheck-demo-password",
    )
    scratch.demo_start = start
    return f"{DEMO_ROOMS} rooms x {DEMO_DAYS} days: {_describe(summary)}"


def check_board_render(scratch: _Scratch) -> str:
    if scratch.database is None or scratch.demo_start is None:
        raise CheckFailed("skipped: no demo data to draw")
    try:
        from surgdesk.ui.board.export import render_board_file
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("surgdesk"):
            raise CheckFailed(f"board renderer missing ({exc.name})") from None
        raise
    from PySide6.QtGui import QImage

    from surgdesk.services.context import ANONYMOUS
    from surgdesk.services.registry import Services

    services = Services.create(scratch.database)
    out = scratch.directory / "board.png"
    written = render_board_file(
        services, ANONYMOUS, out, day=scratch.demo_start, days=1, size=BOARD_SIZE
    )
    image = QImage(str(written))
    if image.isNull():
        raise CheckFailed(f"the board image {written.name} cannot be read back")
    colours = _distinct_colours(image)
    if colours < MIN_BOARD_COLOURS:
        raise CheckFailed(f"the board image is blank ({colours} colour(s))")
    return f"{image.width()}x{image.height()} image, {colours} colours sampled"


def _distinct_colours(image: Any, samples: int = 80) -> int:
    width, height = image.width(), image.height()
    seen: set[int] = set()
    for i in range(samples):
        for j in range(samples):
            seen.add(image.pixel(i * width // samples, j * height // samples))
    return len(seen)


def _describe(summary: object) -> str:
    """A short account of what the demo generator made, whatever its result type."""
    for method in ("describe", "summary_line"):
        fn = getattr(summary, method, None)
        if callable(fn):
            return str(fn())
    counts = getattr(summary, "__dict__", None) or {}
    if hasattr(summary, "model_dump"):
        counts = summary.model_dump()
    numbers = {k: v for k, v in counts.items() if isinstance(v, int) and not isinstance(v, bool)}
    return ", ".join(f"{v} {k}" for k, v in numbers.items()) or str(summary)


def _one_line(text: str) -> str:
    """IT greps this output: one line per check, whatever the exception looked like."""
    return " ".join(text.split())


@contextmanager
def _scratch_dir() -> Iterator[Path]:
    # ignore_cleanup_errors: a Windows virus scanner may still hold the SQLite file.
    with tempfile.TemporaryDirectory(
        prefix="surgdesk-selfcheck-", ignore_cleanup_errors=True
    ) as name:
        yield Path(name)


def run_self_check(
    out: TextIO = sys.stdout,
    *,
    config_path: Path | None = None,
    use_display: bool = False,
) -> int:
    """Run every check, print one line each; 0 when all pass, 1 when any fails."""
    from surgdesk import __version__

    started = time.perf_counter()
    runtime = "bundle" if getattr(sys, "frozen", False) else f"Python {sys.version.split()[0]}"
    out.write(f"SurgDesk {__version__} self-check ({sys.platform}, {runtime})\n")
    failures = 0

    def run(name: str, fn: Callable[[], str]) -> None:
        nonlocal failures
        try:
            detail = fn()
        except CheckFailed as exc:
            failures += 1
            out.write(f"FAIL {name}: {_one_line(str(exc))}\n")
        except Exception as exc:  # any crash is a failed check, never a crashed self-check
            failures += 1
            where = traceback.extract_tb(exc.__traceback__)[-1]
            out.write(
                f"FAIL {name}: {type(exc).__name__}: {_one_line(str(exc))} "
                f"({Path(where.filename).name}:{where.lineno})\n"
            )
        else:
            out.write(f"OK   {name}: {detail}\n")
        out.flush()

    with _scratch_dir() as directory:
        scratch = _Scratch(directory)
        run("qt platform", lambda: check_qt_platform(use_display))
        run("image formats", check_image_formats)
        run("resources", check_resources)
        run("department config", lambda: check_department_config(config_path))
        run("keyring", check_keyring)
        try:
            run("migrations", lambda: check_migrations(scratch))
            run("demo data", lambda: check_demo_data(scratch))
            run("board render", lambda: check_board_render(scratch))
        finally:
            if scratch.database is not None:
                scratch.database.dispose()

    elapsed = time.perf_counter() - started
    if failures:
        out.write(f"self-check FAILED: {failures} check(s) failed ({elapsed:.1f} s)\n")
        return 1
    out.write(f"self-check passed ({elapsed:.1f} s)\n")
    return 0
