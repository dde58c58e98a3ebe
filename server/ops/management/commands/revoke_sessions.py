"""`manage.py revoke_sessions --all | --started-before <ISO time>`: end every user's sessions
at once, e.g. after restoring a database backup (which brings back sessions revoked after
the backup was taken)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tokens.services import sessions_end_everyone


def _instant(raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise CommandError(
            f"--started-before: not an ISO 8601 time: {raw!r} (e.g. 2026-11-30T06:00:00Z)"
        ) from None
    if timezone.is_naive(value):
        raise CommandError(
            f"--started-before: give a time zone, e.g. {raw.strip()}Z or {raw.strip()}+00:00"
        )
    return value


class Command(BaseCommand):
    help = (
        "End every session of every user begun before a time (--started-before) or before "
        "now (--all). One write, whatever the number of sessions: their refresh tokens and "
        "access tokens are refused on the next request in every server process."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="every session begun until now")
        which.add_argument(
            "--started-before",
            metavar="TIME",
            help="ISO 8601 time with a zone, e.g. 2026-11-30T06:00:00Z",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started_before = None
        if options["started_before"] is not None:
            started_before = _instant(options["started_before"])
            if started_before > timezone.now():
                raise CommandError(
                    "--started-before is in the future; use --all to end every session now"
                )
        state = sessions_end_everyone(started_before=started_before)
        self.stdout.write(
            "Every session begun before "
            f"{state.sessions_valid_after.isoformat()} is over; its tokens are refused."
        )
