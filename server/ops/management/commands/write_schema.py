"""Write the GraphQL SDL to schema.graphql (or check that it is up to date)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def current_sdl() -> str:
    from config.schema import schema

    return schema.as_str().rstrip() + "\n"


class Command(BaseCommand):
    help = "Export the GraphQL schema as SDL to schema.graphql at the repository root."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", default=str(Path(settings.BASE_DIR) / "schema.graphql"))
        parser.add_argument(
            "--check", action="store_true", help="Fail if the file differs from the code."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        sdl = current_sdl()
        if options["check"]:
            if not path.exists() or path.read_text() != sdl:
                raise CommandError(f"{path} is out of date: run `manage.py write_schema`")
            self.stdout.write("schema.graphql is up to date")
            return
        path.write_text(sdl)
        self.stdout.write(f"wrote {path}")
