"""Build the zip `az webapp deploy` uploads: the committed application files plus a
requirements.txt that App Service's build (Oryx) installs: this project, pinned by
requirements.lock.

    python deploy/package.py [--out build/coach-app.zip]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What the running service needs: the packages pyproject.toml installs, content, the manifest.
# Tests, benchmarks, infrastructure and Node tools stay out.
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
INCLUDE = (*(p.rstrip("*") + "/" for p in PACKAGES), "content/", "manifest/", "pyproject.toml",
           "requirements.lock", "README.md")
REQUIREMENTS = "-c requirements.lock\n.\n"


def tracked_files() -> list[str]:
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(f"package: cannot list the committed files with git ({exc})") from None
    return sorted(name for name in listed.split("\0") if name.startswith(INCLUDE))


def build(out: Path) -> Path:
    files = tracked_files()
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in files:
            archive.write(ROOT / name, name)
        archive.writestr("requirements.txt", REQUIREMENTS)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Build the App Service deployment zip.")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "coach-app.zip",
                        help="zip file to write (default build/coach-app.zip)")
    path = build(parser.parse_args().out)
    print(f"wrote {path} ({path.stat().st_size:,} bytes)", file=sys.stderr)
