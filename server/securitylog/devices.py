"""A device, as far as a User-Agent tells: "Chrome on Linux", and the key that new-device
detection compares.

The key is the browser family and the operating system only, not versions (they change
with every update) and not the IP address: phones move between mobile networks and Wi-Fi,
and laptops between homes, offices and cafés, so a key with the network in it would send a
"new sign-in" email for most sign-ins, and people learn to ignore those. The IP address is
still recorded on every event, for the user to read in their log.

The web client names a session's device by the same rules (frontend-client/src/pages/
devices.ts, held to these by its tests), since `Session` returns the raw User-Agent: a
change to the tables here goes there too.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_Patterns = tuple[tuple[str, re.Pattern[str]], ...]


def _compiled(*named: tuple[str, str]) -> _Patterns:
    """The (name, pattern) pairs, each pattern compiled; in order: the first match names it."""
    return tuple((name, re.compile(pattern)) for name, pattern in named)


# Order matters: many browsers also claim to be the ones they are built on (Edge says
# Chrome and Safari, Chrome says Safari, …).
_BROWSERS = _compiled(
    ("Edge", r"\bEdg(?:e|A|iOS)?/"),
    ("Opera", r"\b(?:OPR|OPT|Opera)/"),
    ("Samsung Internet", r"\bSamsungBrowser/"),
    ("Yandex Browser", r"\bYaBrowser/"),
    ("Vivaldi", r"\bVivaldi/"),
    ("Firefox", r"\b(?:Firefox|FxiOS)/"),
    ("Chrome", r"\b(?:Chrome|CriOS|Chromium)/"),
    ("Safari", r"\bVersion/[\d.]+.*\bSafari/|\bMobile/\w+ Safari|AppleWebKit/.*\bMobile/"),
    ("Internet Explorer", r"\bMSIE |\bTrident/"),
    ("Android app", r"\bokhttp/|\bDalvik/"),
    ("iOS app", r"\bCFNetwork/"),
    ("Dart app", r"\bDart/"),
    ("curl", r"^curl/"),
    ("Python", r"\bpython-requests/|\bpython-httpx/|^Python-urllib/"),
)
_SYSTEMS = _compiled(
    ("Windows Phone", r"\bWindows Phone\b"),
    ("Windows", r"\bWindows\b"),
    ("Android", r"\bAndroid\b|\bDalvik/|\bokhttp/"),
    ("iOS", r"\b(?:iPhone|iPad|iPod)\b|\biOS\b|\bCFNetwork/"),
    ("macOS", r"\bMac OS X\b|\bMacintosh\b|\bDarwin/"),
    ("ChromeOS", r"\bCrOS\b"),
    ("Linux", r"\bLinux\b|\bX11\b"),
)

# Longer User-Agents are cut before they are matched: no regex runs over megabytes.
_MAX_LENGTH = 512


@dataclass(frozen=True)
class Device:
    browser: str  # "" when unknown
    system: str  # "" when unknown

    @property
    def summary(self) -> str:
        """What the user reads: "Chrome on Linux", "Firefox", "Unknown device"."""
        if self.browser and self.system:
            return f"{self.browser} on {self.system}"
        return self.browser or (f"A browser on {self.system}" if self.system else "Unknown device")

    @property
    def key(self) -> str:
        """What new-device detection compares (see the module's docstring)."""
        return hashlib.sha256(f"{self.browser}|{self.system}".encode()).hexdigest()[:32]


def _first(patterns: _Patterns, text: str) -> str:
    return next((name for name, pattern in patterns if pattern.search(text)), "")


def device_from_user_agent(user_agent: str) -> Device:
    text = (user_agent or "")[:_MAX_LENGTH]
    return Device(browser=_first(_BROWSERS, text), system=_first(_SYSTEMS, text))
