"""`manage.py prune_security_log`: delete security-log events older than
SECURITY_LOG_RETENTION_DAYS, in batches (cron, daily; safe while serving)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from securitylog.services import security_events_prune


class Command(BaseCommand):
    help = "Delete security-log events older than SECURITY_LOG_RETENTION_DAYS, in batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of SECURITY_LOG_RETENTION_DAYS.",
        )
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is None:
            days = settings.SECURITY_LOG_RETENTION_DAYS
        if days < 1 or options["batch_size"] < 1:
            self.stderr.write("--days and --batch-size must be at least 1.")
            raise SystemExit(2)
        deleted = security_events_prune(
            older_than=timedelta(days=days), batch_size=options["batch_size"]
        )
        if options["verbosity"] > 0:
            self.stdout.write(f"Deleted {deleted} security event(s) older than {days} days.")
