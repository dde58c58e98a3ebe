"""Codes people type (an authenticator's TOTP, an emailed one-time code): tidied the way
people type them before anything compares them.

Apps and emails show `123 456`; phones paste `123-456`; a Japanese or Chinese keyboard
types full-width digits (U+FF10 to U+FF19). All of these are the digits 123456. What is
not that many digits once tidied is no code at all: callers refuse it without spending a
try on it.
"""

from __future__ import annotations

import re
import unicodedata

# A longer input is refused before it is normalised (work bounded by the input we accept).
_LONGEST = 64
# Separators people put between digit groups: white space and every dash (hyphen, en and
# em dash, the minus sign), which NFKC leaves as they are.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]")


def digits_tidy(code: str, *, length: int = 6) -> str | None:
    """The `length` ASCII digits `code` spells (spaces and dashes ignored, full-width
    digits read as digits), or None when it does not spell exactly that many digits."""
    if len(code) > _LONGEST:
        return None
    # NFKC turns full-width digits, spaces and hyphens into their ASCII forms; other
    # scripts' digits (Arabic-Indic…) stay as they are and are refused below.
    tidied = _SEPARATORS.sub("", unicodedata.normalize("NFKC", code))
    return tidied if re.fullmatch(rf"[0-9]{{{length}}}", tidied) else None
