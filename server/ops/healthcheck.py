"""The API server's container health check (compose):
`python -P server/ops/healthcheck.py /readyz` (-P: not this folder on sys.path, where
selectors.py would shadow the standard library's module of that name).

Asks this container's own gunicorn (the port of GUNICORN_BIND) for the path, with a Host
header that ALLOWED_HOSTS accepts: under DJANGO_ENV=production, a plain request to
http://127.0.0.1:8000/ carries `Host: 127.0.0.1:8000`, which Django refuses with 400 when
ALLOWED_HOSTS names only the public host (api.example.com), and the check would never pass.
The health paths are exempt from the https redirect (SECURE_REDIRECT_EXEMPT), so plain HTTP
is enough.

Standard library only, no Django: it runs every few seconds and must stay cheap. Exits 0
when the answer is 200, 1 otherwise (with one line saying why, which `docker inspect` shows).
"""

from __future__ import annotations

import http.client
import os
import sys
from collections.abc import Mapping

DEFAULT_BIND = "0.0.0.0:8000"  # gunicorn.conf.py's
TIMEOUT = 4.0  # seconds; below compose's healthcheck timeout (5s)


class HealthCheckError(Exception):
    """The configuration does not say where or as whom to ask."""


def address(bind: str) -> tuple[str, int]:
    """Where to reach the first address gunicorn binds (GUNICORN_BIND) from inside the
    container: a wildcard address is reached on loopback."""
    first = bind.split(",")[0].strip() or DEFAULT_BIND
    if first.startswith(("unix:", "fd://")):
        raise HealthCheckError(f"GUNICORN_BIND={first!r} is not a TCP address")
    if first.startswith("["):  # [::]:8000, [::1]:8000
        host, _, port = first[1:].partition("]:")
    elif ":" in first:
        host, _, port = first.rpartition(":")
    else:  # a bare host: gunicorn's port
        host, port = first, "8000"
    if not port.isdigit():
        raise HealthCheckError(f"GUNICORN_BIND={first!r} has no port")
    loopback = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104
    return loopback.get(host, host), int(port)


def host_header(allowed_hosts: str) -> str:
    """A Host that Django's ALLOWED_HOSTS check accepts: its first entry (a `.example.com`
    pattern stands for example.com itself; `*` accepts anything)."""
    for entry in allowed_hosts.split(","):
        entry = entry.strip()
        if not entry or entry == "*":
            continue
        return entry.lstrip(".")
    # Empty (development's defaults include localhost) or `*`.
    return "localhost"


def check(path: str, environ: Mapping[str, str]) -> tuple[bool, str]:
    host, port = address(environ.get("GUNICORN_BIND", ""))
    connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        connection.request(
            "GET",
            path,
            headers={
                "Host": host_header(environ.get("ALLOWED_HOSTS", "")),
                "User-Agent": "gatehouse-healthcheck",
            },
        )
        response = connection.getresponse()
        body = response.read(200).decode("utf-8", "replace").strip()
    except OSError as exc:
        return False, f"{host}:{port}{path}: {type(exc).__name__}: {exc}"
    finally:
        connection.close()
    return response.status == 200, f"{path}: {response.status} {body}"


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1].startswith("/"):
        print("usage: healthcheck.py /readyz", file=sys.stderr)
        return 2
    try:
        healthy, detail = check(argv[1], os.environ)
    except HealthCheckError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    print(("healthy: " if healthy else "unhealthy: ") + detail)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
