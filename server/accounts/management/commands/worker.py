"""`manage.py worker`: the background worker (emails), django-tasks-db's `db_worker` plus
crash recovery and reconnection.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again;
a worker killed mid-send would leave the email stuck there. At start this command puts
tasks RUNNING for longer than TASK_STALE_AFTER back in the queue, so nothing is lost when
a worker dies (delivery is at least once). Every db_worker option works (`--batch`,
`--interval`, `--max-tasks`, …).

db_worker stops at the first OperationalError (PostgreSQL restarted, failed over, or the
connection was cut), and mail would stop until someone restarted it. This one closes its
connections, waits (doubling from WORKER_RECONNECT_DELAY up to WORKER_RECONNECT_MAX_DELAY)
and goes on.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from accounts.tasks import tasks_requeue_stale

logger = logging.getLogger(__name__)

# What a lost or unreachable database raises (psycopg's own when raised outside Django's
# error wrapper, e.g. by the pool).
CONNECTION_LOST = (OperationalError, InterfaceError, psycopg.OperationalError)


class ReconnectingWorker(db_worker.Worker):
    def run(self) -> None:
        delay = settings.WORKER_RECONNECT_DELAY.total_seconds()
        while True:
            started = time.monotonic()
            try:
                super().run()
                return  # --batch or --max-tasks: done
            except CONNECTION_LOST as exc:
                if not self.running:
                    return
                if time.monotonic() - started > settings.WORKER_RECONNECT_MAX_DELAY.total_seconds():
                    delay = settings.WORKER_RECONNECT_DELAY.total_seconds()  # it had recovered
                logger.warning(
                    "database unavailable (%s); worker reconnecting in %.1fs",
                    type(exc).__name__,
                    delay,
                )
                connections.close_all()
                time.sleep(delay)
                delay = min(delay * 2, settings.WORKER_RECONNECT_MAX_DELAY.total_seconds())
                self.startup_delay = False


class Command(DbWorkerCommand):
    help = "Run the background worker (queued emails); requeues tasks a crashed worker left."

    def handle(self, *args: Any, **options: Any) -> None:
        requeued = tasks_requeue_stale(older_than=settings.TASK_STALE_AFTER)
        if requeued and options.get("verbosity", 1) > 0:
            self.stdout.write(f"Requeued {requeued} task(s) left running by a stopped worker.")
        # db_worker builds its Worker by this module-level name.
        original = db_worker.Worker
        db_worker.Worker = ReconnectingWorker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]
