"""Delete expired and long-ended Session rows, in batches, while the server serves."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tokens.services import sessions_delete_stale


class Command(BaseCommand):
    help = (
        "Delete sessions past their idle or absolute lifetime, and sessions revoked or "
        "signed out more than SESSION_REVOKED_RETENTION ago. Each batch is a short "
        "transaction of its own; run it from cron as often as you like."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = sessions_delete_stale(
            revoked_before=settings.SESSION_REVOKED_RETENTION, batch_size=options["batch_size"]
        )
        self.stdout.write(f"deleted {deleted} stale sessions")
