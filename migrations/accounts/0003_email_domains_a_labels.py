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

import unicodedata

import idna
from django.db import migrations

# Controls, format characters (zero-width spaces and joiners, bidi controls, BOM, soft
# hyphen), surrogates, private use, unassigned; plus the other default-ignorables that
# UTS #46 maps away (combining grapheme joiner, variation selectors, Hangul fillers).
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0000, 0xE0FFF),
)


def _look_alike(address: str) -> bool:
    return any(
        unicodedata.category(char) in _REFUSED_CATEGORIES
        or any(low <= ord(char) <= high for low, high in _IGNORABLE_RANGES)
        for char in address
    )


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
        if label is None or _look_alike(email):
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
            "\n  accounts.0003: these users' addresses were left unchanged (invalid domain, "
            "invisible or control characters, or the normalised address belongs to another "
            "account): " + ", ".join(conflicts)
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_password_reset_counter")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
