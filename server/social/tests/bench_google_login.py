"""Figures for Google sign-in against the local provider (not part of the suite).

Run: .venv/bin/pytest -q -s server/social/tests/bench_google_login.py
It prints latencies; it asserts only that every sign-in succeeded.
"""

from __future__ import annotations

import statistics
import time

from social import google
from social.tests.conftest import REDIRECT_URI
from social.tests.helpers import follow_authorization

LOGIN = """
mutation($input: GoogleLoginInput!) {
  googleLogin(input: $input, transport: BODY) { accessToken errors { code } }
}
"""
START = "mutation($r: String!) { startGoogleLogin(redirectUri: $r) { authorizationUrl } }"


def _report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"\n{name}: n={len(samples)} median={statistics.median(samples) * 1000:.2f} ms "
        f"p95={p95 * 1000:.2f} ms"
    )


def test_bench_verification_with_cached_keys(provider):
    tokens = [(provider.id_token(nonce=f"bench-nonce-{i:08d}-x"), i) for i in range(500)]
    google.id_token_verify(token=tokens[0][0], nonce="bench-nonce-00000000-x")  # warm the keys
    samples = []
    for token, i in tokens:
        began = time.perf_counter()
        google.id_token_verify(token=token, nonce=f"bench-nonce-{i:08d}-x")
        samples.append(time.perf_counter() - began)
    _report("id_token_verify (cached keys)", samples)
    print(f"certificate fetches for 501 verifications: {provider.certs_fetches}")
    assert provider.certs_fetches == 1


def test_bench_mobile_google_login(gql, provider, settings):
    samples = []
    for i in range(29):  # below the per-IP rate limit of 30/minute
        nonce = f"bench-mobile-{i:08d}-x"
        token = provider.id_token(nonce=nonce)
        began = time.perf_counter()
        result = gql(LOGIN, {"input": {"idToken": token, "nonce": nonce}})
        samples.append(time.perf_counter() - began)
        assert result.data["googleLogin"]["errors"] == []
    _report("googleLogin mobile via /graphql/ (first = sign-up)", samples)


def test_bench_web_flow(gql, provider):
    samples = []
    for _ in range(29):
        began = time.perf_counter()
        url = gql(START, {"r": REDIRECT_URI}).data["startGoogleLogin"]["authorizationUrl"]
        code, state = follow_authorization(url)
        result = gql(LOGIN, {"input": {"code": code, "state": state}})
        samples.append(time.perf_counter() - began)
        assert result.data["googleLogin"]["errors"] == []
    _report("web flow start + provider redirect + googleLogin (local provider)", samples)
