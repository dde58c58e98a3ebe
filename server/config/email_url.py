"""Turn `EMAIL_URL` into Django email settings.

Accepted forms:

- `console:`                      print messages (development default)
- `file:///path/to/folder`        write each message to a file
- `smtp://user:pass@host:port`    plain SMTP (Mailpit, a local catcher)
- `smtp+tls://…` / `smtps://…`    SMTP with STARTTLS / implicit TLS
- `anymail://<esp>`               a django-anymail provider, e.g. `anymail://postmark`;
                                  its credentials come from `ANYMAIL_<ESP>_…` variables,
                                  e.g. `ANYMAIL_POSTMARK_SERVER_TOKEN`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

_ESP = re.compile(r"^[a-z_]+$")


def _mailer(backend: str, **options: Any) -> dict[str, Any]:
    """Django 6.1's MAILERS setting with one default mailer."""
    return {"MAILERS": {"default": {"BACKEND": backend, "OPTIONS": options}}}


def email_settings(url: str, environ: Mapping[str, str]) -> dict[str, Any]:
    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme == "console":
        return _mailer("django.core.mail.backends.console.EmailBackend")
    if scheme == "file":
        if not parts.path:
            raise ValueError("file: needs a folder, e.g. file:///var/mail")
        return _mailer("django.core.mail.backends.filebased.EmailBackend", file_path=parts.path)
    if scheme in {"smtp", "smtp+tls", "smtps"}:
        if not parts.hostname:
            raise ValueError("smtp needs a host, e.g. smtp://localhost:1025")
        return _mailer(
            "django.core.mail.backends.smtp.EmailBackend",
            host=parts.hostname,
            port=parts.port or (465 if scheme == "smtps" else 25),
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            use_tls=scheme == "smtp+tls",
            use_ssl=scheme == "smtps",
            timeout=10,
        )
    if scheme == "anymail":
        esp = parts.netloc.lower()
        if not _ESP.match(esp):
            raise ValueError("anymail needs a provider name, e.g. anymail://postmark")
        prefix = f"ANYMAIL_{esp.upper()}_"
        options = {
            name.removeprefix("ANYMAIL_"): value
            for name, value in environ.items()
            if name.startswith(prefix) and value
        }
        if not options:
            raise ValueError(f"anymail://{esp} needs its credentials in {prefix}* variables")
        return {**_mailer(f"anymail.backends.{esp}.EmailBackend"), "ANYMAIL": options}
    raise ValueError(f"unsupported scheme {scheme!r} (console:, file:, smtp:, smtps:, anymail:)")
