"""Request helpers shared by the domains."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """`value` as an address, an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a
    dual-stack socket reports for an IPv4 peer) as the IPv4 address it is; None when it is
    not an IP address."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _ip(value: str | None) -> str | None:
    """The address in canonical form, or None when `value` is not an IP address.

    Whatever ends up here is stored in an `inet` column and used as a rate-limit identity,
    so a forged `not-an-ip` hop must never get that far.
    """
    if not value:
        return None
    address = _address(value)
    return None if address is None else str(address)


def rate_limit_network(ip: str) -> str:
    """The rate-limit identity of a client IP: an IPv4 address itself, an IPv6 address its
    network of RATE_LIMIT_IPV6_PREFIX bits (a /64 by default).

    One IPv6 subscriber is routinely given a whole /64 (often a /56 or /48), so counting
    each address alone would give one client billions of per-IP allowances. Anything that
    is not an address (the `unknown` of a client whose IP could not be read) is returned
    as it is: such callers share one counter.
    """
    address = _address(ip)
    if address is None:
        return ip
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    prefix = settings.RATE_LIMIT_IPV6_PREFIX
    return str(ipaddress.IPv6Network((address, prefix), strict=False))


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


@dataclass(frozen=True)
class Caller:
    """Where a request comes from, as services record it (security log, rate limits):
    read once per request and handed to services as one value. The default is nobody in
    particular (a management command, a test)."""

    ip_address: str | None = None
    user_agent: str = ""
    # The X-Request-ID its log line carries, to tie what a service did back to the request.
    request_id: str = ""

    @classmethod
    def of(cls, request: HttpRequest, *, request_id: str) -> Caller:
        return cls(
            ip_address=client_ip(request), user_agent=user_agent(request), request_id=request_id
        )


# What services record when no request asked (a signal receiver, an operator command).
NO_REQUEST = Caller()
