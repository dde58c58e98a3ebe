"""gunicorn server hooks for metrics across workers (prometheus-client multiprocess mode).

gunicorn.conf.py imports them:

    from observability.gunicorn_hooks import child_exit, on_starting  # noqa: F401

with PROMETHEUS_MULTIPROC_DIR set in the environment of gunicorn (a folder only this
server uses; tmpfs is best). Without that variable both hooks do nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def on_starting(server: Any) -> None:
    """Start from empty: values left by a previous run would be added to this one's."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """A dead worker's live gauges (pool usage) stop counting; its counters stay."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


# gunicorn's own lines (start, worker boot and exit) in the same JSON format as the app's;
# the app logs each request itself, so gunicorn's access log stays off.
# gunicorn.conf.py: `from observability.gunicorn_hooks import logconfig_dict`.
logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "core.logging.RedactSecretsFilter"}},
    "formatters": {"json": {"()": "observability.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["redact"],
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}
