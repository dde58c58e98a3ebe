"""`manage.py worker`: the background worker (emails), django-tasks-db's `db_worker` plus
crash recovery.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again;
a worker killed mid-send would leave the email stuck there. At start this command puts
tasks RUNNING for longer than TASK_STALE_AFTER back in the queue, so nothing is lost when
a worker dies (delivery is at least once). Every db_worker option works (`--batch`,
`--interval`, `--max-tasks`, …).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from accounts.tasks import tasks_requeue_stale


class Command(DbWorkerCommand):
    help = "Run the background worker (queued emails); requeues tasks a crashed worker left."

    def handle(self, *args: Any, **options: Any) -> None:
        requeued = tasks_requeue_stale(older_than=settings.TASK_STALE_AFTER)
        if requeued and options.get("verbosity", 1) > 0:
            self.stdout.write(f"Requeued {requeued} task(s) left running by a stopped worker.")
        super().handle(*args, **options)
