"""Benchmark-only settings: persistent per-worker PostgreSQL connections instead of the
psycopg pool, for the A/B in bench/README (BENCH_DB=persistent). Not used by the app."""

from config.settings import *  # noqa: F403
from config.settings import DATABASES

DATABASES["default"].get("OPTIONS", {}).pop("pool", None)
DATABASES["default"]["CONN_MAX_AGE"] = 600
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
