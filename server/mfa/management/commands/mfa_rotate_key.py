"""Re-encrypt every stored TOTP secret under the current MFA_ENCRYPTION_KEY.

Rotation: set the new key as MFA_ENCRYPTION_KEY and the old one in MFA_ENCRYPTION_OLD_KEYS,
deploy, run this once, then drop the old key. Safe while serving (row by row, locked).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mfa.services import secrets_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt TOTP secrets under the current MFA_ENCRYPTION_KEY."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        changed = secrets_reencrypt(batch_size=options["batch_size"])
        self.stdout.write(f"re-encrypted {changed} secret(s)")
