"""Store every address with its domain in IDNA A-labels (one mailbox, one account).

Addresses used to be stored as typed, lower-cased, so `bob@exämple.com` could sit beside
`bob@xn--exmple-cua.com`. Each address with a non-ASCII domain is rewritten to the form
accounts/email_address.py now produces. Where the rewritten address already belongs to
another account, both are left as they are and the ids are printed: two accounts for one
mailbox need a person to decide which one stays.

The conversion is written out here rather than imported, so that this migration keeps
doing what it did when it was written.
"""

from __future__ import annotations

import idna
from django.db import migrations


def _a_label(domain: str) -> str | None:
    try:
        return idna.encode(domain, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError):
        return None


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    conflicts = []
    for pk, email in User.objects.exclude(email__regex=r"^[\x01-\x7f]*$").values_list(
        "pk", "email"
    ):
        local, at, domain = email.rpartition("@")
        if not at or domain.isascii():
            continue
        label = _a_label(domain)
        if label is None:
            conflicts.append(str(pk))
            continue
        target = f"{local}@{label}"
        if User.objects.filter(email__iexact=target).exclude(pk=pk).exists():
            conflicts.append(str(pk))
            continue
        User.objects.filter(pk=pk).update(email=target)
    if conflicts:
        # An operator must see this in the migrate output.
        print(
            "\n  accounts.0003: these users' addresses were left unchanged (invalid domain, or "
            "the normalised address belongs to another account): " + ", ".join(conflicts)
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_password_reset_counter")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
