"""The token code on SQLite, which the quick start (bin/dev) runs on.

There is no SQLite-only code path: on SQLite every refresh takes the locked rotation, which
PostgreSQL also takes for everything but the common case. This runs the whole table of
session states (test_session_states.py) against a SQLite database in a separate pytest
process, every consumer but the PostgreSQL-only rotation statement.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_session_state_table_passes_on_sqlite(tmp_path):
    # Nothing of this process's database set-up (a PgBouncer run sets DATABASE_POOLER) nor
    # its cache key prefix, which the child's clean-ups would otherwise share.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DATABASE_")
        and key not in {"DJANGO_SETTINGS_MODULE", "CACHE_KEY_PREFIX"}
    }
    env.update(GATEHOUSE_SQLITE_PATH=str(tmp_path / "db.sqlite3"), GATEHOUSE_EXPECT_VENDOR="sqlite")
    command = [
        sys.executable,
        "-m",
        "pytest",
        "server/tokens/tests/test_session_states.py",
        "--ds=tokens.tests.sqlite_settings",
        "-p",
        "no:cacheprovider",
        "-q",
    ]

    run = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )

    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    passed = re.search(r"(\d+) passed", run.stdout)
    assert passed is not None, run.stdout[-2000:]
    assert int(passed.group(1)) >= 70
    assert "failed" not in run.stdout and "skipped" not in run.stdout
