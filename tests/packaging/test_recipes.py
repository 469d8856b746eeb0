"""The installers agree: one file list (manifest.payload) and one version everywhere."""

from __future__ import annotations

import plistlib
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

import surgdesk

ROOT = Path(__file__).resolve().parents[2]


def test_version_is_the_package_version(manifest: ModuleType) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert manifest.version() == pyproject == surgdesk.__version__


@pytest.mark.parametrize(
    ("pep440", "debian", "windows"),
    [
        ("0.1.0", "0.1.0", "0.1.0.0"),
        ("1.2.0rc1", "1.2.0~rc1", "1.2.0.0"),
        ("2.0.0.dev3", "2.0.0~dev3", "2.0.0.0"),
        ("1.4.2+hospital1", "1.4.2+hospital1", "1.4.2.0"),
    ],
)
def test_version_spellings(manifest: ModuleType, pep440: str, debian: str, windows: str) -> None:
    assert manifest.debian_version(pep440) == debian
    assert manifest.windows_version(pep440) == windows


def test_release_candidate_sorts_before_release() -> None:
    if shutil.which("dpkg") is None:
        pytest.skip("dpkg is not installed")
    result = subprocess.run(["dpkg", "--compare-versions", "1.2.0~rc1", "lt", "1.2.0"])
    assert result.returncode == 0


def test_every_role_is_placed_or_left_out_on_purpose(manifest: ModuleType) -> None:
    roles = {item.role for item in manifest.payload()}
    for system, layout in manifest.LAYOUTS.items():
        placed = set(layout())
        skipped = set(manifest.NOT_USED[system])
        assert placed | skipped == roles, system
        assert not placed & skipped, system


def test_payload_sources_exist(manifest: ModuleType) -> None:
    for item in manifest.payload():
        if item.role == "bundle":
            continue  # built by PyInstaller
        path = ROOT / item.source
        assert path.is_dir() if item.is_dir else path.is_file(), item


def test_committed_recipes_are_up_to_date(recipes: ModuleType) -> None:
    assert recipes.main(["--check"]) == 0, "run: uv run python packaging/recipes.py"


def _iss_section(text: str, name: str) -> list[str]:
    match = re.search(rf"^\[{name}\]\n(.*?)(?=^\[|\Z)", text, re.S | re.M)
    assert match, name
    return [line for line in match.group(1).splitlines() if line and not line.startswith(";")]


def test_inno_setup_files_and_version(manifest: ModuleType, recipes: ModuleType) -> None:
    version = manifest.version()
    text = (ROOT / "packaging" / "windows" / "surgdesk.iss").read_text()
    setup = dict(line.split("=", 1) for line in _iss_section(text, "Setup"))
    assert setup["AppVersion"] == version
    assert setup["OutputBaseFilename"] == f"SurgDesk-{version}-setup"
    assert setup["VersionInfoVersion"] == manifest.windows_version(version)
    assert setup["AppId"] == "{" + manifest.WINDOWS_APP_ID
    assert setup["DefaultDirName"] == r"{autopf}\SurgDesk"
    assert setup["PrivilegesRequired"] == "admin"  # per machine
    assert (ROOT / setup["SetupIconFile"].replace("\\", "/")).is_file()

    sources = {item.role: item for item in manifest.payload()}
    expected = {}
    for role, dest in manifest.windows_layout().items():
        item = sources[role]
        source = item.source.replace("/", "\\") + ("\\*" if item.is_dir else "")
        expected[source] = dest if item.is_dir else dest.rpartition("\\")[0]
    listed = {}
    for line in _iss_section(text, "Files"):
        fields = dict(
            (key.strip(), value.strip().strip('"'))
            for key, value in (part.split(":", 1) for part in line.split(";"))
        )
        listed[fields["Source"]] = fields["DestDir"]
    assert listed == expected

    icons = _iss_section(text, "Icons")
    assert any(f'"{{app}}\\{manifest.WINDOWS_GUI_EXE}"' in line for line in icons)
    assert "{autoprograms}" in icons[0]
    # Uninstall leaves the department config folder.
    assert "uninsneveruninstall" in _iss_section(text, "Dirs")[0]
    assert "/VERYSILENT /SUPPRESSMSGBOXES" in text


def test_macos_recipe_files_and_version(manifest: ModuleType) -> None:
    version = manifest.version()
    plist = plistlib.loads((ROOT / "packaging" / "macos" / "Info.plist").read_bytes())
    assert plist["CFBundleShortVersionString"] == version
    assert plist["CFBundleVersion"] == version
    assert plist["CFBundleIdentifier"] == manifest.BUNDLE_ID
    assert plist["CFBundleExecutable"] == manifest.PACKAGE
    assert plist["CFBundleIconFile"] == Path(manifest.macos_layout()["iconset"]).name

    script = (ROOT / "packaging" / "macos" / "build_app.sh").read_text()
    assert f'VERSION="{version}"' in script
    sources = {item.role: item for item in manifest.payload()}
    for role, dest in manifest.macos_layout().items():
        assert f"# role {role} -> {dest}" in script, role
        if role != "bundle":
            assert sources[role].source in script, role
    # Signing and notarization only with the secrets.
    assert 'if [ -n "${MACOS_SIGNING_IDENTITY:-}" ]' in script
    for tool in ("codesign", "notarytool", "stapler", "iconutil", "hdiutil"):
        assert tool in script


def test_deb_control_and_scripts(manifest: ModuleType, recipes: ModuleType) -> None:
    control = recipes.deb_control("1.2.0rc1", "amd64", 123)
    fields = dict(
        line.split(": ", 1) for line in control.splitlines() if not line.startswith(" ")
    )
    assert fields["Package"] == "surgdesk"
    assert fields["Version"] == "1.2.0~rc1"
    assert fields["Architecture"] == "amd64"
    assert fields["Installed-Size"] == "123"
    for package in ("libxcb-cursor0", "libxkbcommon-x11-0", "libfontconfig1", "libgl1"):
        assert package in fields["Depends"]
    for script in (recipes.deb_postinst(), recipes.deb_postrm()):
        assert script.startswith("#!/bin/sh\n")
        assert "update-desktop-database" in script
        assert "gtk-update-icon-cache" in script
        # Never touches user data or the department config.
        assert not re.search(r"\brm\b", script)
        assert ".local/share" not in script.replace("# (~/.local/share/SurgDesk", "")


def test_desktop_entry_validates(recipes: ModuleType, tmp_path: Path) -> None:
    entry = recipes.desktop_entry()
    assert "Exec=surgdesk\n" in entry
    assert "Icon=surgdesk\n" in entry
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate is not installed")
    path = tmp_path / "surgdesk.desktop"
    path.write_text(entry)
    result = subprocess.run(
        ["desktop-file-validate", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deb_staging_matches_the_layout(
    manifest: ModuleType, build_script: ModuleType, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "surgdesk").write_text("#!/bin/sh\n")
    (bundle / "surgdesk").chmod(0o755)
    stage = tmp_path / "stage"
    stage.mkdir()
    build_script.stage_deb(bundle, stage, "0.1.0", "amd64")
    for role, dest in manifest.deb_layout().items():
        assert (stage / dest).exists(), role
    launcher = stage / manifest.DEB_GENERATED["launcher"]
    assert launcher.is_symlink()
    assert str(launcher.readlink()) == "/opt/surgdesk/surgdesk"
    assert (stage / manifest.DEB_GENERATED["desktop-entry"]).is_file()
    assert (stage / "DEBIAN" / "postinst").stat().st_mode & 0o777 == 0o755
    assert (stage / "opt" / "surgdesk" / "surgdesk").stat().st_mode & 0o777 == 0o755
    icon = stage / "usr/share/icons/hicolor/48x48/apps/surgdesk.png"
    assert icon.stat().st_mode & 0o777 == 0o644
    control = (stage / "DEBIAN" / "control").read_text()
    assert "Version: 0.1.0\n" in control
