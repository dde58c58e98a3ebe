"""Request helpers shared by the domains."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _ip(value: str | None) -> str | None:
    """The address in canonical form, or None when `value` is not an IP address.

    Whatever ends up here is stored in an `inet` column and used as a rate-limit identity,
    so a forged `not-an-ip` hop must never get that far.
    """
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The caller's IP, trusting exactly TRUSTED_PROXY_COUNT proxies in X-Forwarded-For.

    The hop our nearest trusted proxy appended is used when it is an IP address; otherwise
    (a malformed header, fewer hops than proxies) the peer address. This is only sound when
    the app port is reachable from the load balancer alone: anyone talking to the app
    directly could write any X-Forwarded-For they like.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            found = _ip(chain[-hops])
            if found is not None:
                return found
    return _ip(request.META.get("REMOTE_ADDR"))


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]
