"""The signing key, hosts and origins (CORS, CSRF), TLS behind the proxy, cookies, the admin."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured

from config.settings.environment import PRODUCTION, env

# The development key is public on purpose: it only ever signs development cookies.
SECRET_KEY = env.str("SECRET_KEY", "dev-insecure-" + "k" * 50)
if PRODUCTION and SECRET_KEY and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
FRONTEND_URL = env.str("FRONTEND_URL", "http://localhost:5173").rstrip("/")

# --- CORS and CSRF ----------------------------------------------------------------------

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", [FRONTEND_URL])
# Development: the API's own origin is allowed too, so that GraphiQL (served by the API)
# can call `refresh`/`logout` with the refresh cookie. bin/dev sets it to its address.
API_ORIGIN = os.environ.get("API_ORIGIN", "http://localhost:8000").strip().rstrip("/")
if not PRODUCTION and API_ORIGIN and API_ORIGIN not in CORS_ALLOWED_ORIGINS:
    CORS_ALLOWED_ORIGINS = [*CORS_ALLOWED_ORIGINS, API_ORIGIN]
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
    # Our own request id, which the request log takes from the client (observability).
    "x-request-id",
)
# What a browser script on an allowed origin may read besides the CORS-safelisted headers:
# the wait of a 503 or 429, and the request id to quote when reporting a problem.
CORS_EXPOSE_HEADERS = ("Retry-After", "X-Request-ID")
# Queries over GET or POST, mutations over POST; the preflight itself is OPTIONS.
CORS_ALLOW_METHODS = ("GET", "POST", "OPTIONS")
CORS_PREFLIGHT_MAX_AGE = 86400
CSRF_TRUSTED_ORIGINS = [
    origin for origin in CORS_ALLOWED_ORIGINS if urlsplit(origin).scheme in {"http", "https"}
]

# --- proxy, TLS and headers -------------------------------------------------------------

# The load balancer terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = False
# Number of trusted proxies in front of us, used to pick the client IP from X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 1 if PRODUCTION else 0)
if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    # Load balancer probes and Prometheus (GET /metrics, see observability.py) speak plain
    # HTTP to the process over the internal network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- the Django admin -------------------------------------------------------------------

# Off by default in production: it is a password-only sign-in to every account and plan,
# and the API does not need it; turn it on where staff use it, ideally under a path of your
# own.
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
