"""The built wheel carries templates, locales and data, and renders a letter outside the checkout."""

from __future__ import annotations

import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: build with the hatchling already installed (no network).
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True)
    (path,) = out.glob("objector-*.whl")
    return path


def test_wheel_contains_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("objector/templates/letter/body.txt.jinja", "objector/templates/letter/letter.css",
                     "objector/data/regimes/eu-gdpr.toml", "objector/data/linkedin.toml",
                     "objector/py.typed", "objector/locales/README.md",
                     "objector/locales/de/LC_MESSAGES/letters.po", "objector/locales/letters.pot"):
        assert required in names


@pytest.mark.slow
def test_installed_wheel_renders_outside_checkout(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # Dependencies come from this test environment's site-packages (offline), but
    # not objector itself: a plain path entry does not process the editable-install
    # .pth file, so only the wheel's copy of objector is importable.
    deps = [p for p in site.getsitepackages() if "site-packages" in p]
    (Path(purelib) / "deps.pth").write_text("\n".join(deps) + "\n")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(purelib)
    work = tmp_path / "elsewhere"
    work.mkdir()
    check = subprocess.run([str(py), "-c", "import objector; print(objector.__file__)"], cwd=work,
                           check=True, capture_output=True, text=True)
    assert check.stdout.startswith(purelib)
    result = subprocess.run(
        [str(py), "-m", "objector", "letter", "--name", "Wheel Test", "--email", "w@example.org",
         "--country", "IE", "--reason-preset", "job-seeker", "--date", "2026-11-25",
         "--format", "all", "-o", "out"],
        cwd=work, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert (work / "out" / "letter.pdf").read_bytes().startswith(b"%PDF-")
    assert "GDPR Art. 21(1)" in (work / "out" / "letter.txt").read_text()
