"""What Redis holds after 10,000 logouts: every key family under the deployment's prefix,
how many keys, and their TTLs. Every key the server writes must expire (revocations when
the last access token they refuse has expired, rate-limit counters with their window);
the target is no key without a TTL.

Production configuration, two gunicorn workers; also a few signed-in `me` requests (the
cached user row) and wrong passwords (the rate-limit counters), so those families show.

Environment: BENCH_LOGOUTS (10000), BENCH_CONNECTIONS (16).
"""

from __future__ import annotations

import json
import os
import re
import urllib.request
from collections import defaultdict

import psycopg
from stack import Stack, log

LOGOUTS = int(os.environ.get("BENCH_LOGOUTS", "10000"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
IDS = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32,}|"
    r"[^:@]+@[^:]+|\b\d+(\.\d+){3}\b|\b\d+\b"
)


def family(key: str, prefix: str) -> str:
    rest = key.removeprefix(prefix + ":")
    rest = re.sub(r"^\d+:", "", rest)  # django-redis's key version
    return IDS.sub("<id>", rest)


def wrong_password(base: str) -> None:
    body = json.dumps(
        {
            "query": "mutation($e: String!, $p: String!) { login(input: {email: $e, "
            "password: $p}, transport: BODY) { errors { code } } }",
            "variables": {"e": "bench@example.com", "p": "not-the-password"},
        }
    ).encode()
    request = urllib.request.Request(
        f"{base}/graphql/",
        data=body,
        headers={"Content-Type": "application/json", "X-Forwarded-Proto": "https"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def main() -> None:
    # Spare tokens: wrk has up to CONNECTIONS requests in flight when a run ends.
    with Stack(refresh_tokens=LOGOUTS + 40 * CONNECTIONS) as stack:
        port = stack.gunicorn(workers=2)
        base = f"http://127.0.0.1:{port}"
        log(f"{LOGOUTS:,} logouts, wrk -c{CONNECTIONS}, each of a different session")
        offset = 0
        db = psycopg.connect(stack.env["DATABASE_URL"], autocommit=True)
        while True:
            row = db.execute(
                "SELECT count(*) FROM tokens_session WHERE revoke_reason = 'logout'"
            ).fetchone()
            done = row[0] if row else 0
            if done >= LOGOUTS:
                break
            run = stack.wrk(
                f"{base}/graphql/",
                "logout.lua",
                connections=CONNECTIONS,
                duration=3,
                BENCH_TOKEN_OFFSET=str(offset),
            )
            offset += int(run["requests"]) + CONNECTIONS
            log(f"{done:,} sessions logged out so far ({run['rps']:.0f}/s, bad {run['bad']})")
        stack.wrk(f"{base}/graphql/", "me.lua", connections=4, duration=2)
        # Counted again: requests in flight when a wrk run ended were still committed.
        row = db.execute(
            "SELECT count(*) FROM tokens_session WHERE revoke_reason = 'logout'"
        ).fetchone()
        done = row[0] if row else 0
        db.close()
        for _ in range(5):
            wrong_password(base)

        client = stack.redis()
        keys = [key.decode() for key in client.scan_iter(f"{stack.prefix}:*", count=1000)]
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.ttl(key)
        ttls = pipe.execute()
        families: dict[str, list[int]] = defaultdict(list)
        for key, ttl in zip(keys, ttls, strict=True):
            families[family(key, stack.prefix)].append(ttl)
        print()
        print(f"after {done:,} logouts, {len(keys):,} keys under the deployment's prefix:")
        print(f"{'key family':<28} {'keys':>7} {'no TTL':>7} {'min TTL s':>10} {'max TTL s':>10}")
        for name, values in sorted(families.items(), key=lambda item: -len(item[1])):
            expiring = [ttl for ttl in values if ttl >= 0]
            print(
                f"{name:<28} {len(values):>7,} {sum(ttl == -1 for ttl in values):>7} "
                f"{min(expiring, default=-1):>10} {max(expiring, default=-1):>10}"
            )
        without = sum(ttl == -1 for ttl in ttls)
        print(f"keys without a TTL: {without} (target 0)")
        print(
            f"ACCESS_TOKEN_LIFETIME here is {stack.env['ACCESS_TOKEN_LIFETIME']}: a revocation "
            "key lives that long after its logout, then expires"
        )
        print(flush=True)


if __name__ == "__main__":
    main()
