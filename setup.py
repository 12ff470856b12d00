"""Build hook only; everything else about the package is in pyproject.toml.

The bundled Online Retail file lives in the clone's top-level data/ (beside the test-only
groceries data), outside every package, so pyproject's package-data cannot name it. This
copies data/online_retail/ into the built `retrieval` package as `retrieval/bundled/`, where
`retrieval.config` finds it with importlib.resources once the wheel is installed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = "online_retail"  # the default dataset; its README carries the licence (CC BY 4.0)
PACKAGED = Path("retrieval") / "bundled"  # keep in step with retrieval.config.PACKAGED_DATA


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the clone's data/ directly
        source = HERE / "data" / SHIPPED
        if not (source / "README.md").is_file():
            raise SystemExit(f"cannot package the bundled data: {source} is missing or incomplete")
        shutil.copytree(source, Path(self.build_lib) / PACKAGED / SHIPPED, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithData})
