"""Build the SurgDesk bundle (and on Linux the .deb) into dist/ from a clean checkout.

    uv run python packaging/build.py [--no-deb] [--fast-compression] [--measure-startup]

1. PyInstaller, with packaging/surgdesk.spec -> dist/surgdesk/ (one folder; on macOS
   also dist/SurgDesk.app).
2. Linux: stage the .deb from manifest.deb_layout() and build
   dist/surgdesk_<version>_<arch>.deb with ``dpkg-deb --build --root-owner-group``.
3. Write dist/build-report.json: version, sizes, build time (and the cold start to the
   first window with --measure-startup, which needs xvfb-run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import manifest
import recipes

ROOT = manifest.ROOT
DIST = ROOT / "dist"
WORK = ROOT / "build"
SPEC = ROOT / "packaging" / "surgdesk.spec"
IS_LINUX = sys.platform.startswith("linux")


def log(message: str) -> None:
    print(f"[build] {message}", flush=True)


def tree_size(path: Path) -> int:
    """Bytes of the files under path (symlinks counted as links, not their targets)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


def build_bundle(dist: Path = DIST, work: Path = WORK) -> Path:
    bundle = dist / manifest.PACKAGE
    shutil.rmtree(bundle, ignore_errors=True)
    shutil.rmtree(work / "pyinstaller", ignore_errors=True)
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", str(dist), "--workpath", str(work / "pyinstaller"), str(SPEC),
    ]
    log(" ".join(command[2:]))
    subprocess.run(command, check=True, cwd=ROOT)
    executable = bundle / (manifest.PACKAGE + (".exe" if sys.platform == "win32" else ""))
    if not executable.is_file():
        raise SystemExit(f"PyInstaller produced no {executable}")
    return bundle


def dpkg_architecture() -> str:
    result = subprocess.run(["dpkg", "--print-architecture"], check=True,
                            capture_output=True, text=True)
    return result.stdout.strip()


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True)
    else:
        shutil.copy2(source, target)
        target.chmod(0o644)


def _normalise_modes(root: Path) -> None:
    """Directories 0755, executables 0755, everything else 0644: what lintian expects."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            executable = path.stat().st_mode & 0o111
            path.chmod(0o755 if executable else 0o644)


def stage_deb(bundle: Path, stage: Path, version: str, architecture: str) -> None:
    items = {item.role: item for item in manifest.payload()}
    for role, dest in manifest.deb_layout().items():
        source = bundle if role == "bundle" else ROOT / items[role].source
        _copy(source, stage / dest)
    launcher = stage / manifest.DEB_GENERATED["launcher"]
    launcher.parent.mkdir(parents=True, exist_ok=True)
    # The bootloader finds its _internal folder through /proc/self/exe, so a symlink works.
    launcher.symlink_to(f"/{manifest.deb_layout()['bundle']}/{manifest.PACKAGE}")
    desktop = stage / manifest.DEB_GENERATED["desktop-entry"]
    desktop.parent.mkdir(parents=True, exist_ok=True)
    desktop.write_text(recipes.desktop_entry(), encoding="utf-8")
    _normalise_modes(stage)

    debian = stage / "DEBIAN"
    debian.mkdir()
    installed_kib = (tree_size(stage) + 1023) // 1024
    (debian / "control").write_text(
        recipes.deb_control(version, architecture, installed_kib), encoding="utf-8"
    )
    for name, text in (("postinst", recipes.deb_postinst()), ("postrm", recipes.deb_postrm())):
        script = debian / name
        script.write_text(text, encoding="utf-8")
        script.chmod(0o755)
    debian.chmod(0o755)


# How the .deb's payload is compressed. Releases: xz at level 6, a third of gzip's size
# for Qt's libraries but 85 s on two cores. Tests and development builds: gzip, 7 s — the
# package's contents, metadata and layout are the same, only the payload's packing differs.
RELEASE_COMPRESSION = ("-Zxz", "-z6")
FAST_COMPRESSION = ("-Zgzip", "-z6")


def build_deb(bundle: Path, version: str, dist: Path = DIST, work: Path = WORK, *,
              compression: tuple[str, str] = RELEASE_COMPRESSION) -> Path:
    architecture = dpkg_architecture()
    out = dist / f"{manifest.PACKAGE}_{manifest.debian_version(version)}_{architecture}.deb"
    out.unlink(missing_ok=True)
    stage = work / "deb"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    stage_deb(bundle, stage, version, architecture)
    command = ["dpkg-deb", "--root-owner-group", *compression, "--build", str(stage), str(out)]
    log(" ".join(command))
    subprocess.run(command, check=True)
    return out


def _drop_page_caches() -> bool:
    """Empty the kernel's file cache so the next start reads the bundle from disk (root)."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def _time_to_first_window(executable: Path) -> float:
    with tempfile.TemporaryDirectory(prefix="surgdesk-startup-") as home:
        env = {**os.environ, "SURGDESK_STARTUP_PROBE": "1", "SURGDESK_DATA_DIR": home,
               "HOME": home, "QT_QPA_PLATFORM": "xcb"}
        env.pop("SURGDESK_DATABASE_URL", None)
        # xvfb-run starts the X server first; the probe's epoch is compared with a
        # timestamp a shell inside the session takes just before exec'ing the app.
        script = f'date +%s.%N; exec "{executable}"'
        result = subprocess.run(
            ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", "sh", "-c", script],
            env=env, capture_output=True, text=True, timeout=60,
        )
    words = result.stdout.split()
    try:
        launched = float(words[0])
        shown = float(words[words.index("first-window") + 1])
    except (ValueError, IndexError):
        raise SystemExit(
            f"the startup probe printed nothing (exit {result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        ) from None
    return shown - launched


def measure_startup(bundle: Path, warm_runs: int = 3) -> dict[str, object]:
    """Seconds from launching the bundled GUI to its first window on screen, under Xvfb.

    Cold: page cache dropped first (needs root; else the first run, which is only as cold
    as the machine happens to be). Warm: best of a few runs right after. Every run starts
    on an empty data folder, so it includes creating and migrating the SQLite file.
    """
    if shutil.which("xvfb-run") is None:
        raise SystemExit("--measure-startup needs xvfb-run (apt-get install xvfb)")
    executable = bundle / manifest.PACKAGE
    dropped = _drop_page_caches()
    cold = _time_to_first_window(executable)
    warm = [_time_to_first_window(executable) for _ in range(warm_runs)]
    return {"cold_s": round(cold, 3), "page_cache_dropped": dropped,
            "warm_best_s": round(min(warm), 3), "warm_runs": warm_runs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-deb", action="store_true", help="build only the bundle")
    parser.add_argument("--fast-compression", action="store_true",
                        help="pack the .deb with gzip instead of xz -6 (tests, development; "
                             "about 80 s less on two cores, a third larger)")
    parser.add_argument("--measure-startup", action="store_true",
                        help="time the bundled GUI to its first window under Xvfb (Linux)")
    parser.add_argument("--dist", type=Path, default=DIST,
                        help="output folder (default: dist/); tests build into a temporary one")
    parser.add_argument("--work", type=Path, default=WORK,
                        help="PyInstaller and staging work folder (default: build/)")
    args = parser.parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()

    started = time.perf_counter()
    version = manifest.version()
    log(f"SurgDesk {version} on {platform.platform()}")
    dist.mkdir(parents=True, exist_ok=True)
    bundle = build_bundle(dist, work)
    report: dict[str, object] = {
        "version": version,
        "platform": platform.platform(),
        "bundle": str(bundle),
        "bundle_bytes": tree_size(bundle),
    }
    if IS_LINUX and not args.no_deb:
        if shutil.which("dpkg-deb") is None:
            raise SystemExit("dpkg-deb is missing: install dpkg, or pass --no-deb")
        deb = build_deb(bundle, version, dist, work, compression=(
            FAST_COMPRESSION if args.fast_compression else RELEASE_COMPRESSION))
        report["deb"] = str(deb)
        report["deb_bytes"] = deb.stat().st_size
    report["build_seconds"] = round(time.perf_counter() - started, 1)
    if args.measure_startup:
        report["cold_start"] = measure_startup(bundle)
    (dist / "build-report.json").write_text(json.dumps(report, indent=2) + "\n")
    for key, value in report.items():
        if key.endswith("_bytes") and isinstance(value, int):
            value = f"{value / 1_000_000:.1f} MB"
        log(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
