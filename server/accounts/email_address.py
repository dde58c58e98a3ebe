"""Email addresses: one canonical form per mailbox, and what we refuse.

One mailbox, one account: `Bob@Exämple.com`, `bob@exämple.com` and `bob@xn--exmple-cua.com`
all reach the same mailbox, so they are stored and looked up as one form, the domain in
IDNA A-labels (UTS #46 mapping, lower case). Characters that are invisible or controls are
refused outright rather than normalised away: `alice@example.com` followed by U+200B is not
a way to write Alice's address, it is a look-alike (and mail software would deliver it to
her, so the attacker's account would be verified by the victim).
"""

from __future__ import annotations

import ipaddress
import unicodedata

import idna

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): rendered as nothing.
# Most are also format characters (Cf); these ranges add the rest (combining grapheme
# joiner, Hangul fillers, Mongolian and other variation selectors, …).
_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Controls (NUL included), format characters, surrogates, private use, unassigned.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def _refused_char(char: str) -> bool:
    point = ord(char)
    if unicodedata.category(char) in _REFUSED_CATEGORIES:
        return True
    return any(low <= point <= high for low, high in _DEFAULT_IGNORABLE)


def has_refused_chars(address: str) -> bool:
    """Invisible, control or unassigned characters, which no address of ours may hold."""
    if address.isascii() and address.isprintable():
        return False  # nearly every address: printable ASCII holds none of them
    return any(_refused_char(char) for char in address)


def domain_a_label(domain: str) -> str | None:
    """The domain in IDNA A-labels, lower case; None when it is not a valid IDN."""
    if domain.isascii():
        return domain.lower()
    try:
        return idna.encode(domain, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError):
        return None


def normalize_email(email: str) -> str:
    """The canonical form used to store and look up an address; never raises.

    Trimmed, lower case, the domain in A-labels. An address whose domain is not a valid
    IDN keeps its domain lower-cased, so that a lookup simply finds nothing (validation,
    `email_clean`, refuses it before anything is stored).
    """
    address = email.strip()
    local, at, domain = address.rpartition("@")
    if not at:
        return address.lower()
    return f"{local.lower()}@{domain_a_label(domain) or domain.lower()}"


def domain_problem(domain: str) -> str | None:
    """Why a (normalised) domain cannot receive our mail, or None."""
    if not domain or not domain.isascii():
        return "not a valid domain name"
    if domain.startswith("[") or domain.endswith("]"):
        return "an IP address instead of a domain name"
    try:
        ipaddress.ip_address(domain)
    except ValueError:
        pass
    else:
        return "an IP address instead of a domain name"
    if "." not in domain.strip("."):
        return "a domain name without a dot"
    return None
