"""The layers hold: the domain loads no web framework, and `make lint`'s import contracts catch
an upward import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DOMAIN = [
    "eoffice.core.kinds",
    "eoffice.core.uow",
    "eoffice.audit.service",
    "eoffice.auth.permissions",
    "eoffice.org.service",
    "eoffice.org.desks",
    "eoffice.storage.service",
    "eoffice.receipts.service",
    "eoffice.files.service",
    "eoffice.files.docket",
    "eoffice.notings.service",
    "eoffice.search.engine",
]


def test_importing_the_domain_loads_no_web_framework():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in DOMAIN)
        + "from eoffice.core import kinds\n"
        + "kinds.load_modules()\n"
        + "web = sorted(m for m in sys.modules if m.split('.')[0] in "
        + "('flask', 'flask_babel', 'flask_wtf', 'flask_login', 'werkzeug', 'wtforms')"
        + " or m.startswith(('eoffice.web', 'eoffice.app')))\n"
        + "print(web)\n"
        + "assert kinds.find('file') and kinds.find('receipt'), 'the modules registered'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-logo", "--no-cache"],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=300,
    )


def test_the_import_contracts_pass_and_refuse_an_upward_import(tmp_path):
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    shutil.copytree(
        ROOT / "eoffice", copy / "eoffice", ignore=shutil.ignore_patterns("__pycache__")
    )
    clean = _lint_imports(copy)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    # a model rule that reaches for the request: the web layer is above the domain
    models = copy / "eoffice" / "files" / "models.py"
    models.write_text(models.read_text() + "\nfrom eoffice.web.session import get_session\n")
    upward = _lint_imports(copy)
    assert upward.returncode != 0
    assert "BROKEN" in upward.stdout
    assert "eoffice.files.models -> eoffice.web.session" in upward.stdout
