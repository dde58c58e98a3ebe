"""gunicorn settings for the API server: `gunicorn -c gunicorn.conf.py` (the Dockerfile and
compose use it; so do the production topology test and the benchmarks).

Every knob comes from the environment (GUNICORN_*), with defaults sized for one container
behind the reverse proxy in deploy/. The proxy buffers slow clients, so sync workers only
ever see whole requests. bench/run_proxy_bench.py compares sync with gthread: on the
development VM they were within its (large) noise of each other, so the simpler sync
stays the default; gthread is one variable away.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(_ROOT / "server"))

# Metrics across workers (PROMETHEUS_MULTIPROC_DIR; both hooks do nothing without it).
from observability.gunicorn_hooks import child_exit, on_starting  # noqa: E402, F401


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, not {raw!r}") from None
    if value < 0:
        raise SystemExit(f"{name} must not be negative, not {raw!r}")
    return value


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


wsgi_app = "config.wsgi:application"
pythonpath = f"{_ROOT / 'server'},{_ROOT}"
bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]

# The classic 2·CPUs+1 for short, CPU-bound requests, capped: each worker holds its own
# PostgreSQL pool (DATABASE_POOL_MAX_SIZE) and Redis connections.
workers = _int("GUNICORN_WORKERS", 0) or min(2 * _cpus() + 1, 9)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync").strip() or "sync"
if worker_class not in {"sync", "gthread"}:
    raise SystemExit(f"GUNICORN_WORKER_CLASS must be sync or gthread, not {worker_class!r}")
threads = _int("GUNICORN_THREADS", 4 if worker_class == "gthread" else 1) or 1

# A request that runs longer than this is killed (the GraphQL limits keep real ones far
# below); on SIGTERM, in-flight requests get graceful_timeout to finish.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Idle keep-alive with the proxy (gthread; sync workers close after each response).
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle each worker after this many requests, jittered so the workers do not all
# restart at once: bounds the cost of any slow leak. Not fewer: a sync worker answers
# thousands of small requests a second, and each replacement imports Django anew (about
# a second of CPU, during which the other workers carry the load); at 5,000 that
# happened every few seconds under load (bench/run_ratios.py, BENCH_MAX_REQUESTS).
max_requests = _int("GUNICORN_MAX_REQUESTS", 200_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 20_000)
# Heartbeat files in memory: a worker on a slow or full disk is not killed as stuck.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Who may set X-Forwarded-Proto/-For for gunicorn itself: the proxy in front, no one else.
# (Django picks the client IP with TRUSTED_PROXY_COUNT; the app port must only be
# reachable from the proxy.)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log: the path (%(U)s) and never the query string (no %(r)s, %(q)s) nor the
# Referer (%(f)s), either of which can carry a token a careless client put in a URL
# (the web client's /reset-password?token=… page is the Referer of its own API calls).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms pid=%(p)s "%(a)s"'
errorlog = "-"
if os.environ.get("LOG_FORMAT", "json").strip().lower() == "json":
    # gunicorn's own lines as JSON like the app's. The app writes one line per request
    # itself (request id, operation, status, duration), so gunicorn's access log is off.
    from observability.gunicorn_hooks import logconfig_dict  # noqa: F401
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
