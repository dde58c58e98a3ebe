"""`manage.py worker_health --max-wait 5m`: the email worker's health check (compose).

Healthy when PostgreSQL answers and no due email has waited longer than --max-wait: a
worker that died, hangs or lost its database leaves due emails waiting. Emails held back
by a provider outage wait for their retry time and are not due, so they do not count.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from config.env import parse_duration
from ops.selectors import email_queue_longest_wait


class Command(BaseCommand):
    help = "Exit 0 when the email queue is being worked on, 1 (and say why) when it is not."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--max-wait", default="5m", help="longest a due email may wait, e.g. 300, 5m"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            max_wait = parse_duration(options["max_wait"])
        except ImproperlyConfigured as exc:
            raise CommandError(f"--max-wait: {exc}") from None
        try:
            waited = email_queue_longest_wait(now=timezone.now())
        except DatabaseError as exc:
            raise CommandError(
                f"unhealthy: the database is unreachable ({type(exc).__name__})"
            ) from None
        if waited is not None and waited > max_wait:
            raise CommandError(
                f"unhealthy: a due email has waited {int(waited.total_seconds())}s "
                f"(more than {int(max_wait.total_seconds())}s); is the worker running?"
            )
        self.stdout.write("healthy")
