"""Logs (one format for the server and the worker), the Prometheus metrics endpoint, and
OpenTelemetry tracing."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.settings.environment import PRODUCTION, env

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
        # GraphQL errors (config/schema.py logs them without documents or variables).
        "api.graphql": {"filters": ["redact"]},
    },
}

# --- metrics ----------------------------------------------------------------------------

# GET /metrics serves Prometheus text only while this is set, and only to
# `Authorization: Bearer <METRICS_TOKEN>`. Across gunicorn workers set
# PROMETHEUS_MULTIPROC_DIR in the environment (read by prometheus-client itself) and use
# observability/gunicorn_hooks.py. Prometheus scrapes the process over plain HTTP, so
# production exempts the path from the HTTPS redirect (SECURE_REDIRECT_EXEMPT in
# security.py).
METRICS_TOKEN = env.str("METRICS_TOKEN", "", required=False)
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 16 characters long")

# --- tracing ----------------------------------------------------------------------------

# OpenTelemetry traces over OTLP/HTTP (observability/tracing.py) while an endpoint is set,
# in the web server's processes (config/wsgi.py starts it). Unset, tracing costs this read:
# no tracer provider, no exporter thread, no instrumentation, no middleware, no schema
# extension (observability/tests/test_tracing.py). The SDK reads the other OTEL_*
# variables itself (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER,
# OTEL_BSP_*, ...); OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, the full URL of the traces path, may
# stand instead of OTEL_EXPORTER_OTLP_ENDPOINT.
_otlp_endpoint = (
    os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
)
if _otlp_endpoint:
    _parts = urlsplit(_otlp_endpoint)
    if _parts.scheme not in {"http", "https"} or not _parts.hostname:
        raise ImproperlyConfigured(
            "OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL (OTLP over HTTP)"
        )
# OTEL_SDK_DISABLED=true turns it off too, as it would any OpenTelemetry SDK.
TRACING = bool(_otlp_endpoint) and os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() != "true"
