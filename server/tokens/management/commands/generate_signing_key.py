"""Print a new ES256 private key as a JWK, to add to JWT_PRIVATE_KEYS."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tokens.keys import generate_private_jwk


class Command(BaseCommand):
    help = (
        "Generate an EC P-256 (ES256) signing key and print it as a JWK. Rotate by adding it "
        "to JWT_PRIVATE_KEYS after the current key (publish), later moving it first (sign), "
        "and dropping the old key once its last access token has expired."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kid", help="Key id; a dated random one by default.")
        parser.add_argument(
            "--set", action="store_true", help="Print a whole JWK Set holding only this key."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        jwk = generate_private_jwk(options.get("kid"))
        document: Any = {"keys": [jwk]} if options["set"] else jwk
        self.stdout.write(json.dumps(document))
