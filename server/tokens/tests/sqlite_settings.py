"""The test settings on SQLite (the quick start's database) instead of PostgreSQL; Redis as
usual. Used by test_sqlite.py, which runs the session-state table under them."""

import os

os.environ["DATABASE_URL"] = "sqlite:///" + os.environ.get(
    "GATEHOUSE_SQLITE_PATH", f"/tmp/gatehouse_sqlite_{os.getpid()}.sqlite3"
)

from config.settings_test import *  # noqa: F403
from config.settings_test import DATABASES

# In memory, as Django's test runner does by default for SQLite.
DATABASES["default"]["TEST"] = {}
