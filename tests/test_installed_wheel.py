"""Installed, not only cloned: the wheel carries the bundled data, so a fresh install answers.

The wheel is built from a copy of the source, installed with --no-deps into a new venv, and
run from outside the repository. The new venv sees the already-installed dependencies of
the test interpreter's site-packages through a .pth path line; such a line is appended to
sys.path without its folder's own .pth files being run, so the editable install of this
clone (a .pth-installed import finder) stays out and `retrieval` must come from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from retrieval.config import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

# What a build needs from the clone: the packages, their metadata and the bundled data.
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "assistant", "retrieval", "ui",
           "data/online_retail")


def _run(command: list[str], timeout: int, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
    assert done.returncode == 0, f"{command} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def _copy_sources(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "bundled")
    for name in SOURCES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _venv_site_packages(venv: Path) -> Path:
    return Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A new venv with the shopassist wheel installed and this venv's dependencies visible."""
    tmp = tmp_path_factory.mktemp("installed")
    _copy_sources(tmp / "src")
    # A copy keeps the build's build/ and egg-info out of the shared checkout.
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "-w", str(tmp / "wheels"), str(tmp / "src")], timeout=300)
    (wheel,) = (tmp / "wheels").glob("shopassist-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], timeout=120)
    python = venv / "bin" / "python"
    # pip --python installs into the new venv before it can see anything of this one, so pip
    # has no other shopassist to uninstall.
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
          "--no-warn-script-location", str(wheel)], timeout=300)
    deps = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (_venv_site_packages(venv) / "shopassist_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    return venv


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(SHOPASSIST_HOME=str(home), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               ANONYMIZED_TELEMETRY="False")
    return env


def test_the_installed_package_answers_from_its_bundled_data(installed, tmp_path):
    work, home = tmp_path / "elsewhere", tmp_path / "home"
    work.mkdir()
    env = _env(home)
    where = _run([str(installed / "bin" / "python"), "-c",
                  "import retrieval, retrieval.config as c; print(retrieval.__file__); print(c.BUNDLED_ONLINE_RETAIL)"],
                 timeout=120, cwd=work, env=env).stdout.split()
    site = _venv_site_packages(installed)
    assert Path(where[0]).is_relative_to(site), where  # the wheel's package, not the clone
    assert Path(where[1]) == site / "retrieval" / "bundled" / "online_retail" / "online_retail_2010_2011.csv.gz"
    assert not Path(where[1]).is_relative_to(REPO_ROOT)

    shopassist = str(installed / "bin" / "shopassist")
    # What a user does first (README: `shopassist build`); the ranker is not needed to answer.
    built = _run([shopassist, "build", "--no-ranker"], timeout=900, cwd=work, env=env).stdout
    assert f"dataset: bundled file {where[1]} (3,790 products" in built
    assert "index built: 3,790 products" in built and "rules mined" in built

    asked = _run([shopassist, "ask", "a lunch bag under £2", "--json"], timeout=300, cwd=work, env=env)
    reply = json.loads(asked.stdout)
    titles = [p["title"] for p in reply["products"]]
    assert titles and all(p["price"] <= 2 for p in reply["products"])
    assert any("LUNCH BAG" in t for t in titles), titles
    assert any(t in reply["text"] for t in titles), reply["text"]
    assert "dataset: saved dataset" in asked.stderr  # build saved the bundled data under the root


def test_the_wheel_marks_every_package_typed(installed):
    # PEP 561: without a py.typed marker, mypy ignores an installed package's annotations.
    site = _venv_site_packages(installed)
    missing = [p for p in ("retrieval", "assistant", "ui") if not (site / p / "py.typed").is_file()]
    assert not missing, missing
