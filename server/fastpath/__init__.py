"""Speed-only code in one place, behind one switch.

Nothing here changes what any request answers; each piece has a plain counterpart in its
domain, and `FAST_PATH_ENABLED=false` (setting and environment variable) makes config wire
in the plain ones instead. Domains never import this package: config plugs it in.
"""

from __future__ import annotations

from django.conf import settings


def enabled() -> bool:
    """True while the fast path is switched on (the default)."""
    return bool(getattr(settings, "FAST_PATH_ENABLED", True))
