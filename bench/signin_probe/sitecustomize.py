"""A probe for bench/run_ratios.py's sign-in measurement, loaded by a bench-only gunicorn
(this folder first on PYTHONPATH) and inert unless BENCH_SIGNIN_PROBE names a file.

For each request that verified a password with argon2, it appends one line to that file:
the time Django's handler took for the request and the time of that verification, both in
ms. run_ratios.py then reports the sign-in minus its own hash inside the worker (which the
variance of a separate hash does not blur) beside the paired figure. The server's code is
not changed: this wraps two methods from outside, in the bench's own server process only.
"""

from __future__ import annotations

import os
import time

_PATH = os.environ.get("BENCH_SIGNIN_PROBE")

if _PATH:
    from django.contrib.auth import hashers
    from django.core.handlers import wsgi

    _verified: list[float] = []
    _plain_verify = hashers.Argon2PasswordHasher.verify
    _plain_call = wsgi.WSGIHandler.__call__

    def _verify(self, password, encoded):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return _plain_verify(self, password, encoded)
        finally:
            _verified.append((time.perf_counter() - started) * 1000)

    def _call(self, environ, start_response):  # type: ignore[no-untyped-def]
        _verified.clear()
        started = time.perf_counter()
        response = _plain_call(self, environ, start_response)
        elapsed = (time.perf_counter() - started) * 1000
        if len(_verified) == 1:
            with open(_PATH, "a") as out:
                out.write(f"{elapsed:.3f} {_verified[0]:.3f}\n")
        return response

    hashers.Argon2PasswordHasher.verify = _verify
    wsgi.WSGIHandler.__call__ = _call
