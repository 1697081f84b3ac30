"""The architecture is enforced, not just drawn: import-linter contracts in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and " 0 broken" in result.stdout


def test_every_module_is_in_the_contracts():
    """A module the contracts do not name escapes them: each one must sit in a layer,
    and each one but the UI (and the package's own entry points) must be forbidden Textual."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layered = {name.strip() for layer in contracts[0]["layers"] for name in layer.split("|")}
    no_textual = set(contracts[1]["source_modules"])
    modules = {f"syncdash.{path.stem}" for path in (ROOT / "syncdash").iterdir()
               if (path.suffix == ".py" or (path / "__init__.py").exists()) and not path.stem.startswith("__")}
    assert modules - layered == set()
    assert modules - no_textual == {"syncdash.ui"}
    entry_points = [(ROOT / "syncdash" / name).read_text() for name in ("__init__.py", "__main__.py")]
    assert not any("textual" in text for text in entry_points)
