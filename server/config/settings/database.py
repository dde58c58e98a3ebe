"""PostgreSQL (or SQLite in the quick start), Django's connection pool, and PgBouncer."""

from __future__ import annotations

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.settings.environment import VAR_DIR, env
from core.pg_pool import check_connection

_database_url = env.str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gatehouse.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(_database_url)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's psycopg pool: connections are reused across requests without
    # CONN_MAX_AGE (which the pool forbids).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The pool checks each connection before handing it out (Django passes
    # psycopg_pool's ConnectionPool.check_connection as `check` when this is on): a
    # connection that PostgreSQL dropped (restart, failover, idle timeout, a terminated
    # backend) is replaced instead of failing the request that gets it. core/pg_pool.py's
    # check reads the socket instead of sending an empty query when it is quiet.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", 1),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", 4),
        "timeout": 10,
        "check": check_connection,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- PgBouncer --------------------------------------------------------------------------

# DATABASE_POOLER=pgbouncer: DATABASE_URL points at PgBouncer in transaction mode, where
# consecutive transactions of one client may run on different server connections. So
# nothing may outlive a transaction on the server: no named prepared statements (psycopg
# prepares a query after 5 runs unless prepare_threshold is None), no server-side cursors
# (.iterator() would DECLARE one WITH HOLD). Django's own pool goes: PgBouncer pools, and a
# second pool per process would only hold client slots. Each process keeps one persistent
# client connection instead (CONN_MAX_AGE, checked before reuse), which PgBouncer holds
# for the price of a socket.
DATABASE_POOLER = env.str("DATABASE_POOLER", "", required=False).lower()
if DATABASE_POOLER not in {"", "pgbouncer"}:
    raise ImproperlyConfigured("DATABASE_POOLER must be empty or 'pgbouncer'")
if DATABASE_POOLER == "pgbouncer":
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_POOLER=pgbouncer needs a postgres:// DATABASE_URL")
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.pop("pool", None)
    _options["prepare_threshold"] = None
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", 300)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
