"""Throughput through the proxy: Debian's nginx (the proxy image's configuration) in front
of one gunicorn process, then of two, on one PostgreSQL and one Redis; wrk on loopback,
bounded runs. Also sync against gthread workers (BENCH_WORKER_CLASSES). Prints a table.

Environment: BENCH_DURATION (10 s per run), BENCH_CONNECTIONS (16), BENCH_WORKERS (worker
processes per gunicorn process, 1), BENCH_WORKER_CLASSES (sync,gthread).

On a machine with fewer free cores than processes the second process mostly shows the
proxy spreading the load, not more throughput: compare the figures with `nproc` and the
machine's load.
"""

from __future__ import annotations

import os

from stack import Stack, log

DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
CLASSES = [c for c in os.environ.get("BENCH_WORKER_CLASSES", "sync,gthread").split(",") if c]
ENDPOINTS = (("healthz", "healthz.lua", "/healthz"), ("me", "me.lua", "/graphql/"))


def main() -> None:
    rows = []
    with Stack() as stack:
        for worker_class in CLASSES:
            ports = [stack.gunicorn(workers=WORKERS, worker_class=worker_class) for _ in "ab"]
            proxies = {1: stack.nginx(ports[:1]), 2: stack.nginx(ports)}
            for count, proxy in proxies.items():
                base = f"http://127.0.0.1:{proxy}"
                stack.wrk(base + "/graphql/", "me.lua", connections=4, duration=2)  # warm up
                for name, script, path in ENDPOINTS:
                    log(
                        f"{worker_class}, {count} process(es): wrk -c{CONNECTIONS} "
                        f"-d{DURATION}s {name}"
                    )
                    run = stack.wrk(base + path, script, connections=CONNECTIONS, duration=DURATION)
                    rows.append((worker_class, count, name, run))
            for process in stack.processes[-4:]:
                stack.stop(process)
    print()
    print(
        f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}; "
        f"{WORKERS} worker(s) per gunicorn process, wrk -t1 -c{CONNECTIONS} -d{DURATION}s"
    )
    print(
        f"{'workers':<8} {'procs':>5} {'endpoint':<8} {'req/s':>8} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'bad':>5} {'x one':>6}"
    )
    single = {(c, n): r["rps"] for c, k, n, r in rows if k == 1}
    for worker_class, count, name, run in rows:
        one = single[(worker_class, name)]
        ratio = f"{run['rps'] / one:.2f}" if one else "n/a"
        print(
            f"{worker_class:<8} {count:>5} {name:<8} {run['rps']:>8.0f} {run['p50_ms']:>8.2f} "
            f"{run['p99_ms']:>8.2f} {run['bad']:>5.0f} {ratio:>6}"
        )
    print(flush=True)


if __name__ == "__main__":
    main()
