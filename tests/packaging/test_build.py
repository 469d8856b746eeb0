"""The real thing: build the bundle and the .deb, unpack it, run its self-check."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEB_LIMIT_BYTES = 120_000_000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the .deb is Linux-only"),
    pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is not installed"),
]


@pytest.fixture(scope="module")
def built(manifest: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One build for the module (about half a minute of PyInstaller on two cores), into
    a temporary folder: a developer's dist/ and a concurrent build are left alone. The
    .deb is packed with gzip: xz -6 (releases) adds 80 s and changes nothing checked here."""
    out = tmp_path_factory.mktemp("build")
    subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py"), "--fast-compression",
         "--dist", str(out / "dist"), "--work", str(out / "work")],
        check=True, cwd=ROOT, timeout=600,
    )
    report: dict[str, object] = json.loads((out / "dist" / "build-report.json").read_text())
    return report


@pytest.fixture(scope="module")
def unpacked(built: dict[str, object], tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("deb")
    # dpkg-deb -x needs no root: what IT would get from `apt-get install`.
    subprocess.run(["dpkg-deb", "-x", str(built["deb"]), str(target)], check=True)
    return target


def _field(deb: Path, name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "-f", str(deb), name], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_deb_metadata(built: dict[str, object], manifest: ModuleType) -> None:
    deb = Path(str(built["deb"]))
    assert deb.stat().st_size < DEB_LIMIT_BYTES
    arch = subprocess.run(["dpkg", "--print-architecture"], check=True,
                          capture_output=True, text=True).stdout.strip()
    assert deb.name == f"surgdesk_{manifest.debian_version(manifest.version())}_{arch}.deb"
    assert _field(deb, "Package") == "surgdesk"
    assert _field(deb, "Version") == manifest.debian_version(manifest.version())
    assert _field(deb, "Architecture") == arch
    depends = _field(deb, "Depends")
    for package in ("libxcb-cursor0", "libxkbcommon-x11-0", "libfontconfig1", "libgl1"):
        assert package in depends


def test_deb_layout(unpacked: Path, manifest: ModuleType) -> None:
    for role, dest in manifest.deb_layout().items():
        assert (unpacked / dest).exists(), role
    launcher = unpacked / "usr" / "bin" / "surgdesk"
    assert os.readlink(launcher) == "/opt/surgdesk/surgdesk"
    assert (unpacked / "usr/share/applications/surgdesk.desktop").is_file()
    for size in manifest.ICON_SIZES:
        assert (unpacked / f"usr/share/icons/hicolor/{size}x{size}/apps/surgdesk.png").is_file()


def _needed(elf: Path) -> list[str]:
    result = subprocess.run(["readelf", "-d", str(elf)], capture_output=True, text=True)
    return [line.split("[", 1)[1].rstrip("]") for line in result.stdout.splitlines()
            if "(NEEDED)" in line]


def _is_elf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def test_bundle_needs_only_bundled_or_declared_libraries(
    unpacked: Path, manifest: ModuleType
) -> None:
    if shutil.which("readelf") is None:
        pytest.skip("readelf (binutils) is not installed")
    bundle = unpacked / "opt" / "surgdesk"
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    bundled = {p.name for p in bundle.rglob("*")}
    allowed = set(manifest.LINUX_SYSTEM_LIBS) | set(manifest.LINUX_BASE_LIBS)
    undeclared = {}
    for path in files:
        if not (".so" in path.name or path.name == "surgdesk") or not _is_elf(path):
            continue
        for soname in _needed(path):
            if soname not in bundled and soname not in allowed:
                undeclared.setdefault(soname, path.relative_to(bundle).as_posix())
    assert undeclared == {}, "add to manifest.LINUX_SYSTEM_LIBS (and Depends) or bundle them"
    # And the system ones really are left to the system.
    assert not bundled & set(manifest.LINUX_SYSTEM_LIBS)


def test_unpacked_deb_self_check(unpacked: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM",
                        "SURGDESK_DATABASE_URL", "SURGDESK_CONFIG"}}
    env["SURGDESK_DATA_DIR"] = str(tmp_path / "data")
    env["HOME"] = str(tmp_path / "home")
    result = subprocess.run(
        [str(unpacked / "opt" / "surgdesk" / "surgdesk"), "self-check"],
        env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("SurgDesk "), output
    assert "(linux, bundle)" in lines[0]
    failing = [line for line in lines[1:-1] if not line.startswith("OK   ")]
    assert failing == [], output
    assert result.returncode == 0, output
    assert len(lines) == 10, output  # header, eight checks, verdict
    # Nothing was written outside the temporary folders.
    assert not (tmp_path / "data" / "surgdesk.db").exists()


def test_version_in_the_bundle(unpacked: Path, manifest: ModuleType) -> None:
    result = subprocess.run(
        [str(unpacked / "opt" / "surgdesk" / "surgdesk"), "--version"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.strip() == f"surgdesk {manifest.version()}"
