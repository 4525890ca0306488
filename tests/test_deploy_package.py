"""deploy/package.py: the zip `az webapp deploy` uploads holds every package pyproject.toml
installs, the content and manifest, and a requirements.txt that installs the project pinned."""

from __future__ import annotations

import runpy
import tomllib
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_package_holds_what_the_service_needs(tmp_path):
    package = runpy.run_path(str(REPO / "deploy" / "package.py"))
    out = package["build"](tmp_path / "app.zip")
    names = zipfile.ZipFile(out).namelist()
    includes = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    for pattern in includes:
        folder = pattern.rstrip("*")
        assert f"{folder}/__init__.py" in names, f"{folder} is installed but not packaged"
    assert {"pyproject.toml", "requirements.lock", "README.md", "content/en/ui.yaml",
            "manifest/manifest.template.json"} <= set(names)
    assert zipfile.ZipFile(out).read("requirements.txt") == b"-c requirements.lock\n.\n"
    assert not [n for n in names if n.startswith(("tests/", "bench/", "node_modules/", "deploy/", ".venv/"))]
