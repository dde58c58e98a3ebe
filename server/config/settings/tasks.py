"""Background tasks: the queue backend and `manage.py worker`."""

from __future__ import annotations

import os
from datetime import timedelta

from config.settings.environment import PRODUCTION, env

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
# `manage.py worker` puts tasks that a crashed worker left RUNNING for this long back in
# the queue (delivery is at least once; a send takes seconds, never this long).
TASK_STALE_AFTER = env.duration("TASK_STALE_AFTER", timedelta(minutes=15))
# `manage.py worker` waits this long after losing PostgreSQL, doubling up to the maximum.
WORKER_RECONNECT_DELAY = env.duration("WORKER_RECONNECT_DELAY", timedelta(seconds=1))
WORKER_RECONNECT_MAX_DELAY = env.duration("WORKER_RECONNECT_MAX_DELAY", timedelta(seconds=30))
