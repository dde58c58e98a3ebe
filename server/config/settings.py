"""Gatehouse settings: one module, read from the environment.

`DJANGO_ENV=development` (the default) runs on embedded defaults: SQLite, the in-process
cache, the immediate task backend, emails to the console and a signing key generated on
first start under `var/`. `DJANGO_ENV=production` refuses to start until every variable it
needs is set, and names all of the missing ones at once.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import dj_database_url
from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured
from redis.backoff import NoBackoff
from redis.retry import Retry

from config.email_url import email_settings
from config.env import Env
from config.trusted_documents import load_trusted_documents

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("GATEHOUSE_VAR_DIR", BASE_DIR / "var"))

DJANGO_ENV = os.environ.get("DJANGO_ENV", "development").strip() or "development"
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"
DEBUG = not PRODUCTION and os.environ.get("DJANGO_DEBUG", "1") != "0"

env = Env(production=PRODUCTION)

# --- core -------------------------------------------------------------------------------

# The development key is public on purpose: it only ever signs development cookies.
SECRET_KEY = env.str("SECRET_KEY", "dev-insecure-" + "k" * 50)
if PRODUCTION and SECRET_KEY and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
FRONTEND_URL = env.str("FRONTEND_URL", "http://localhost:5173").rstrip("/")
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", [FRONTEND_URL])
# Development: the API's own origin is allowed too, so that GraphiQL (served by the API)
# can call `refresh`/`logout` with the refresh cookie. bin/dev sets it to its address.
API_ORIGIN = os.environ.get("API_ORIGIN", "http://localhost:8000").strip().rstrip("/")
if not PRODUCTION and API_ORIGIN and API_ORIGIN not in CORS_ALLOWED_ORIGINS:
    CORS_ALLOWED_ORIGINS = [*CORS_ALLOWED_ORIGINS, API_ORIGIN]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "strawberry_django",
    "anymail",
    "django_tasks_db",
    "core",
    "accounts",
    "tokens",
    "social",
    "membership",
    "content",
    "observability",
    # Operator commands (revoke_sessions, worker_health): above the domains, which never
    # import it.
    "ops",
]

# Our own apps keep their migrations in the top-level migrations/ folder.
MIGRATION_MODULES = {
    app: f"migrations.{app}" for app in ("accounts", "tokens", "social", "membership", "content")
}

MIDDLEWARE = [
    # First: times the whole stack, tags every response with X-Request-ID, logs one line.
    "observability.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Serves /graphql/ without the session/auth/CSRF/messages middleware below it.
    "api.middleware.GraphQLFastLane",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # api/templates: the GraphiQL page that loads its assets from this server.
        "DIRS": [Path(__file__).resolve().parents[1] / "api" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- data -------------------------------------------------------------------------------

_database_url = env.str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gatehouse.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(_database_url)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's psycopg pool: connections are reused across requests without
    # CONN_MAX_AGE (which the pool forbids).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The pool checks each connection before handing it out (Django passes
    # psycopg_pool's ConnectionPool.check_connection as `check` when this is on): a
    # connection that PostgreSQL dropped (restart, failover, idle timeout, a terminated
    # backend) is replaced instead of failing the request that gets it.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", 1),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", 4),
        "timeout": 10,
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

REDIS_URL = env.str("REDIS_URL", "")
# What a request that needs Redis answers while Redis is unreachable: HTTP 503 with
# `Retry-After` of this many seconds.
SERVICE_UNAVAILABLE_RETRY_AFTER = env.duration(
    "SERVICE_UNAVAILABLE_RETRY_AFTER", timedelta(seconds=5)
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "gh"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "PARSER_CLASS": "redis.connection._HiredisParser",
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
                # One immediate retry, without backoff: a pooled connection that Redis
                # dropped (restart, idle timeout) is reopened instead of failing the
                # request, and a Redis that is down is answered at once (503).
                "CONNECTION_POOL_KWARGS": {"retry": Retry(NoBackoff(), 1)},
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Redis Sentinel ---------------------------------------------------------------------

# With sentinels, the master's address comes from them (and changes on a failover); the
# database number, user and password still come from REDIS_URL, whose host is ignored.
# Everything that reaches Redis goes through this one cache: the rate limits, the
# revocation MGET (tokens/revocation.py, on connections of the same pool) and the worker.
REDIS_SENTINELS = env.list("REDIS_SENTINELS", [], required=False)
REDIS_SENTINEL_MASTER = env.str("REDIS_SENTINEL_MASTER", "", required=False)
if REDIS_SENTINELS:
    from config.redis_sentinel import sentinel_cache_options

    if not REDIS_URL:
        raise ImproperlyConfigured("REDIS_SENTINELS needs REDIS_URL (for the db and password)")
    if not REDIS_SENTINEL_MASTER:
        raise ImproperlyConfigured("REDIS_SENTINELS needs REDIS_SENTINEL_MASTER")
    try:
        _location, _sentinel_options = sentinel_cache_options(
            REDIS_URL, REDIS_SENTINELS, REDIS_SENTINEL_MASTER
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"REDIS_SENTINELS: {exc}") from exc
    CACHES["default"]["LOCATION"] = _location
    cast("dict[str, Any]", CACHES["default"]["OPTIONS"]).update(_sentinel_options)

# Emails are queued in the same transaction as the change that causes them; a worker
# (`manage.py db_worker`) delivers them. The quick start runs tasks immediately.
_task_backend = os.environ.get("TASK_BACKEND", "database" if PRODUCTION else "immediate")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[_task_backend]
    }
}

# --- passwords and users ----------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "accounts.validators.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- email ------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Gatehouse <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_url = env.str("EMAIL_URL", "console:")
try:
    globals().update(email_settings(_email_url, os.environ))
except ValueError as exc:
    raise ImproperlyConfigured(f"EMAIL_URL: {exc}") from exc

# --- tokens -----------------------------------------------------------------------------

JWT_PRIVATE_KEYS = os.environ.get("JWT_PRIVATE_KEYS", "")
JWT_PRIVATE_KEYS_FILE = os.environ.get("JWT_PRIVATE_KEYS_FILE", "")
if PRODUCTION and not (JWT_PRIVATE_KEYS.strip() or JWT_PRIVATE_KEYS_FILE.strip()):
    env.missing.append("JWT_PRIVATE_KEYS (or JWT_PRIVATE_KEYS_FILE)")
# Development only: generated on first start into the git-ignored var/ folder.
JWT_DEV_KEY_FILE = VAR_DIR / "keys" / "jwt-dev.json"
# The callable that turns a bearer string into claims (tokens/verifier.py).
# Local signature and claim checks, then one Redis round trip for revocation.
ACCESS_TOKEN_VERIFIER = "tokens.revocation.verify_access_token"
JWT_ISSUER = env.str("JWT_ISSUER", "gatehouse", required=False)
JWT_AUDIENCE = env.str("JWT_AUDIENCE", "gatehouse-api", required=False)
ACCESS_TOKEN_LIFETIME = env.duration("ACCESS_TOKEN_LIFETIME", timedelta(minutes=5))
# Clock difference tolerated between the signer and this server (exp, iat and the
# exp - iat ≤ ACCESS_TOKEN_LIFETIME check).
JWT_LEEWAY = env.duration("JWT_LEEWAY", timedelta(0))
REFRESH_TOKEN_LIFETIME = env.duration("REFRESH_TOKEN_LIFETIME", timedelta(days=14))
SESSION_ABSOLUTE_LIFETIME = env.duration("SESSION_ABSOLUTE_LIFETIME", timedelta(days=60))
REFRESH_REUSE_GRACE = env.duration("REFRESH_REUSE_GRACE", timedelta(seconds=10))
REFRESH_COOKIE_NAME = env.str("REFRESH_COOKIE_NAME", "gh_refresh", required=False)
REFRESH_COOKIE_SAMESITE = env.str(
    "REFRESH_COOKIE_SAMESITE", "None" if PRODUCTION else "Lax", required=False
)
if REFRESH_COOKIE_SAMESITE not in {"Strict", "Lax", "None"}:
    raise ImproperlyConfigured("REFRESH_COOKIE_SAMESITE must be Strict, Lax or None")
REFRESH_COOKIE_SECURE = PRODUCTION or env.bool("REFRESH_COOKIE_SECURE", False)
# Failed and successful sign-in attempts per email and per client IP in each window.
LOGIN_RATE_LIMIT_PER_EMAIL = env.int("LOGIN_RATE_LIMIT_PER_EMAIL", 10)
LOGIN_RATE_LIMIT_PER_IP = env.int("LOGIN_RATE_LIMIT_PER_IP", 100)
LOGIN_RATE_WINDOW = env.duration("LOGIN_RATE_WINDOW", timedelta(minutes=15))
# Revoked and signed-out sessions are kept this long for the record, then cleaned up.
SESSION_REVOKED_RETENTION = env.duration("SESSION_REVOKED_RETENTION", timedelta(days=7))

# --- email flows ------------------------------------------------------------------------

EMAIL_VERIFICATION_TOKEN_LIFETIME = env.duration(
    "EMAIL_VERIFICATION_TOKEN_LIFETIME", timedelta(days=3)
)
PASSWORD_RESET_TOKEN_LIFETIME = env.duration("PASSWORD_RESET_TOKEN_LIFETIME", timedelta(hours=1))
PASSWORD_RESET_TIMEOUT = int(PASSWORD_RESET_TOKEN_LIFETIME.total_seconds())
EMAIL_RESEND_COOLDOWN = env.duration("EMAIL_RESEND_COOLDOWN", timedelta(seconds=60))
# Per client IP, across addresses: requestPasswordReset and resendVerificationEmail.
REGISTRATIONS_PER_IP = env.int("REGISTRATIONS_PER_IP", 20)
REGISTRATIONS_IP_WINDOW = env.duration("REGISTRATIONS_IP_WINDOW", timedelta(hours=1))
EMAIL_REQUESTS_PER_IP = env.int("EMAIL_REQUESTS_PER_IP", 20)
EMAIL_REQUESTS_IP_WINDOW = env.duration("EMAIL_REQUESTS_IP_WINDOW", timedelta(hours=1))
# Wrong old passwords in changePassword, per user.
CHANGE_PASSWORD_ATTEMPTS = env.int("CHANGE_PASSWORD_ATTEMPTS", 5)
CHANGE_PASSWORD_WINDOW = env.duration("CHANGE_PASSWORD_WINDOW", timedelta(minutes=15))
EMAIL_SITE_NAME = env.str("EMAIL_SITE_NAME", "Gatehouse", required=False)
# A failed delivery is queued again after base * 2^(attempt-1) (capped, with jitter); after
# the last attempt the task row stays FAILED in the database for an operator to see.
EMAIL_DELIVERY_MAX_ATTEMPTS = env.int("EMAIL_DELIVERY_MAX_ATTEMPTS", 12)
EMAIL_RETRY_BASE_DELAY = env.duration("EMAIL_RETRY_BASE_DELAY", timedelta(seconds=30))
EMAIL_RETRY_MAX_DELAY = env.duration("EMAIL_RETRY_MAX_DELAY", timedelta(hours=1))
# `manage.py worker` puts tasks that a crashed worker left RUNNING for this long back in
# the queue (delivery is at least once; a send takes seconds, never this long).
TASK_STALE_AFTER = env.duration("TASK_STALE_AFTER", timedelta(minutes=15))
# `manage.py worker` waits this long after losing PostgreSQL, doubling up to the maximum.
WORKER_RECONNECT_DELAY = env.duration("WORKER_RECONNECT_DELAY", timedelta(seconds=1))
WORKER_RECONNECT_MAX_DELAY = env.duration("WORKER_RECONNECT_MAX_DELAY", timedelta(seconds=30))

# --- Google -----------------------------------------------------------------------------

GOOGLE_CLIENT_IDS = env.list("GOOGLE_CLIENT_IDS", ["gatehouse-dev.apps.googleusercontent.com"])
GOOGLE_CLIENT_SECRET = env.str("GOOGLE_CLIENT_SECRET", "dev-google-secret")
GOOGLE_REDIRECT_URIS = env.list(
    "GOOGLE_REDIRECT_URIS", [f"{FRONTEND_URL}/auth/google/callback"], required=False
)
GOOGLE_AUTHORIZATION_URL = env.str(
    "GOOGLE_AUTHORIZATION_URL", "https://accounts.google.com/o/oauth2/v2/auth", required=False
)
GOOGLE_TOKEN_URL = env.str(
    "GOOGLE_TOKEN_URL", "https://oauth2.googleapis.com/token", required=False
)
GOOGLE_CERTS_URL = env.str(
    "GOOGLE_CERTS_URL", "https://www.googleapis.com/oauth2/v3/certs", required=False
)
GOOGLE_ISSUERS = env.list(
    "GOOGLE_ISSUERS", ["accounts.google.com", "https://accounts.google.com"], required=False
)
# A pending web sign-in (state, PKCE verifier, nonce, redirect URI) lives this long in Redis.
GOOGLE_STATE_LIFETIME = env.duration("GOOGLE_STATE_LIFETIME", timedelta(minutes=10))
# Each call to Google's token or certificate endpoint gives up after this long.
GOOGLE_HTTP_TIMEOUT = env.duration("GOOGLE_HTTP_TIMEOUT", timedelta(seconds=5))
# Google's signing keys are cached this long per process; an unknown `kid` refetches them,
# at most once per cooldown so that forged tokens cannot make us hammer Google.
GOOGLE_CERTS_LIFETIME = env.duration("GOOGLE_CERTS_LIFETIME", timedelta(hours=1))
GOOGLE_CERTS_REFETCH_COOLDOWN = env.duration("GOOGLE_CERTS_REFETCH_COOLDOWN", timedelta(seconds=30))
# Tolerated clock difference between Google and us when checking `exp` and `iat`.
GOOGLE_CLOCK_SKEW = env.duration("GOOGLE_CLOCK_SKEW", timedelta(seconds=30))

# --- membership -------------------------------------------------------------------------

PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", "stripe" if PRODUCTION else "dev", required=False)
if PAYMENT_PROVIDER not in {"dev", "stripe"}:
    raise ImproperlyConfigured("PAYMENT_PROVIDER must be 'stripe' or 'dev'")
if PRODUCTION and PAYMENT_PROVIDER == "dev":
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER=dev activates subscriptions for free; not in production"
    )
_stripe = PAYMENT_PROVIDER == "stripe"
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", "", required=_stripe)
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", "", required=_stripe)
if _stripe and not PRODUCTION and not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET):
    # Production lists it with every other missing variable; say it here too, at start,
    # rather than as an internal error on the first `subscribe`.
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET"
    )
STRIPE_API_BASE = env.str("STRIPE_API_BASE", "https://api.stripe.com", required=False)
STRIPE_WEBHOOK_TOLERANCE = env.duration("STRIPE_WEBHOOK_TOLERANCE", timedelta(minutes=5))
STRIPE_API_TIMEOUT = env.duration("STRIPE_API_TIMEOUT", timedelta(seconds=10)).total_seconds()
# Where Stripe Checkout sends the user back; Stripe fills in {CHECKOUT_SESSION_ID}.
STRIPE_CHECKOUT_SUCCESS_URL = env.str(
    "STRIPE_CHECKOUT_SUCCESS_URL",
    f"{FRONTEND_URL}/membership/welcome?session_id={{CHECKOUT_SESSION_ID}}",
    required=False,
)
STRIPE_CHECKOUT_CANCEL_URL = env.str(
    "STRIPE_CHECKOUT_CANCEL_URL", f"{FRONTEND_URL}/plans", required=False
)
SUBSCRIPTION_PAST_DUE_GRACE = env.duration("SUBSCRIPTION_PAST_DUE_GRACE", timedelta(days=3))

# --- GraphQL ----------------------------------------------------------------------------

GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", 10)
# Fields an operation may select, counting every repeat of a fragment (so that a small
# document whose fragments multiply cannot ask for an exponential amount of work).
GRAPHQL_MAX_FIELDS = env.int("GRAPHQL_MAX_FIELDS", 3000)
GRAPHQL_MAX_ALIASES = env.int("GRAPHQL_MAX_ALIASES", 15)
GRAPHQL_MAX_TOKENS = env.int("GRAPHQL_MAX_TOKENS", 2000)
GRAPHQL_MAX_REQUEST_BYTES = env.int("GRAPHQL_MAX_REQUEST_BYTES", 64 * 1024)
GRAPHQL_GRAPHIQL = not PRODUCTION
GRAPHQL_INTROSPECTION = not PRODUCTION
# Automatic persisted queries (api/persisted.py): how long a registered query is kept, and
# how many one client IP may register per window (the cache must not fill up with junk).
GRAPHQL_APQ_TTL = env.duration("GRAPHQL_APQ_TTL", timedelta(days=1))
GRAPHQL_APQ_REGISTRATIONS_PER_IP = env.int("GRAPHQL_APQ_REGISTRATIONS_PER_IP", 500)
GRAPHQL_APQ_REGISTRATIONS_WINDOW = env.duration(
    "GRAPHQL_APQ_REGISTRATIONS_WINDOW", timedelta(hours=1)
)
# When set, the path of a JSON map {sha256: document}: only those documents run.
_trusted_documents_path = env.str("GRAPHQL_TRUSTED_DOCUMENTS", "", required=False)
GRAPHQL_TRUSTED_DOCUMENTS: dict[str, str] | None = (
    load_trusted_documents(_trusted_documents_path) if _trusted_documents_path else None
)
STRAWBERRY_DJANGO = {"MUTATIONS_DEFAULT_HANDLE_ERRORS": False}

# Request bodies above this are refused before parsing (a query is never this big).
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# --- HTTP and security ------------------------------------------------------------------

CORS_ALLOW_CREDENTIALS = True
CORS_URLS_REGEX = r"^/graphql/?$"
# Headers real GraphQL clients send besides the defaults (authorization, content-type…):
# Apollo Client's name/version and CSRF-prevention headers, and W3C trace context.
CORS_ALLOW_HEADERS = (
    *cors_default_headers,
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "traceparent",
    "tracestate",
)
# Queries over GET or POST, mutations over POST; the preflight itself is OPTIONS.
CORS_ALLOW_METHODS = ("GET", "POST", "OPTIONS")
CORS_PREFLIGHT_MAX_AGE = 86400

# The load balancer terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = False
# Number of trusted proxies in front of us, used to pick the client IP from X-Forwarded-For.
# The Django admin. Off by default in production: it is a password-only sign-in to every
# account and plan, and the API does not need it; turn it on where staff use it, ideally
# under a path of your own.
ADMIN_ENABLED = env.bool("ADMIN_ENABLED", not PRODUCTION)
ADMIN_PATH = env.str("ADMIN_PATH", "admin/", required=False).strip().strip("/") + "/"
if ADMIN_PATH == "/" or ADMIN_PATH.split("/")[0] in {
    "graphql",
    ".well-known",
    "webhooks",
    "healthz",
    "readyz",
}:
    raise ImproperlyConfigured("ADMIN_PATH must be a path of its own, e.g. `staff-admin/`")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 1 if PRODUCTION else 0)
if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    # Load balancer probes speak plain HTTP to the process.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [
    origin for origin in CORS_ALLOWED_ORIGINS if urlsplit(origin).scheme in {"http", "https"}
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# --- observability: logs -----------------------------------------------------------------

# `json`: one JSON object per line (observability/logging.py), the production default;
# `plain`: one readable line, the development default. The server and `manage.py worker`
# both log through LOGGING below.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "").strip().lower() or ("json" if PRODUCTION else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'plain'")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "core.logging.RedactSecretsFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "observability.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Through the root handler only: Django's default console handler for DEBUG would
        # print each line a second time, unformatted.
        "django": {"handlers": [], "level": "INFO"},
        # Django logs the path of 4xx/5xx requests. The filter sits on the loggers too, so
        # every handler (ours, Django's, a test's) gets the cleaned record.
        "django.request": {"level": "WARNING", "filters": ["redact"]},
        # The development server's access log: request lines lose their query string (a
        # careless client may put a token there). Our handler instead of Django's own,
        # which has no filter.
        "django.server": {
            "level": "INFO",
            "handlers": ["console"],
            "filters": ["redact"],
            "propagate": False,
        },
        # GraphQL errors (api/schema.py logs them without documents or variables).
        "api.graphql": {"filters": ["redact"]},
    },
}

# --- observability: metrics --------------------------------------------------------------

# GET /metrics serves Prometheus text only while this is set, and only to
# `Authorization: Bearer <METRICS_TOKEN>`. Across gunicorn workers set
# PROMETHEUS_MULTIPROC_DIR in the environment (read by prometheus-client itself) and use
# observability/gunicorn_hooks.py.
METRICS_TOKEN = env.str("METRICS_TOKEN", "", required=False)
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 16 characters long")
# Distinct GraphQL operation names labelled per process; more are counted as "other".
METRICS_MAX_OPERATIONS = env.int("METRICS_MAX_OPERATIONS", 100)
if PRODUCTION:
    # Prometheus scrapes the process directly over the internal network, like the probes.
    SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^metrics$"]

env.check()
