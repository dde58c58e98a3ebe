"""Throughput through the proxy: Debian's nginx (the proxy image's configuration) in front
of one gunicorn process, then of two, on one PostgreSQL and one Redis; wrk on loopback,
bounded runs. Also sync against gthread workers (BENCH_WORKER_CLASSES). One and two
processes are measured in alternation, several rounds, and the median is printed, so that
load drifting on a shared machine does not favour either. Prints a table.

Environment: BENCH_DURATION (5 s per run), BENCH_ROUNDS (3), BENCH_CONNECTIONS (16),
BENCH_WORKERS (worker processes per gunicorn process, 1), BENCH_WORKER_CLASSES
(sync,gthread).

Two processes can only beat one when there are free cores for them: read the figures with
the `nproc` and load average printed beside them.
"""

from __future__ import annotations

import os
import statistics
from collections import defaultdict

from stack import Stack, log

DURATION = int(os.environ.get("BENCH_DURATION", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
CLASSES = [c for c in os.environ.get("BENCH_WORKER_CLASSES", "sync,gthread").split(",") if c]
ENDPOINTS = (("healthz", "healthz.lua", "/healthz"), ("me", "me.lua", "/graphql/"))


def main() -> None:
    runs: dict[tuple[str, int, str], list[dict[str, float]]] = defaultdict(list)
    loads = []
    with Stack() as stack:
        for worker_class in CLASSES:
            ports = [stack.gunicorn(workers=WORKERS, worker_class=worker_class) for _ in "ab"]
            proxies = {1: stack.nginx(ports[:1]), 2: stack.nginx(ports)}
            for proxy in proxies.values():  # warm up: pools filled, code imported
                stack.wrk(f"http://127.0.0.1:{proxy}/graphql/", "me.lua", connections=4, duration=2)
            for number in range(1, ROUNDS + 1):
                log(f"{worker_class}: round {number}/{ROUNDS}")
                for count, proxy in proxies.items():
                    for name, script, path in ENDPOINTS:
                        run = stack.wrk(
                            f"http://127.0.0.1:{proxy}{path}",
                            script,
                            connections=CONNECTIONS,
                            duration=DURATION,
                        )
                        runs[(worker_class, count, name)].append(run)
                loads.append(os.getloadavg()[0])
            for process in stack.processes[-4:]:
                stack.stop(process)
    print()
    print(
        f"nproc {os.cpu_count()}, load average {min(loads):.1f}-{max(loads):.1f} during the "
        f"runs; {WORKERS} worker(s) per gunicorn process; wrk -t1 -c{CONNECTIONS} "
        f"-d{DURATION}s, median of {ROUNDS} rounds"
    )
    print(
        f"{'workers':<8} {'procs':>5} {'endpoint':<8} {'req/s':>8} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'bad':>5} {'x one':>6}  rounds req/s"
    )
    median = {key: statistics.median(r["rps"] for r in values) for key, values in runs.items()}
    for (worker_class, count, name), values in runs.items():
        one = median[(worker_class, 1, name)]
        ratio = f"{median[(worker_class, count, name)] / one:.2f}" if one else "n/a"
        print(
            f"{worker_class:<8} {count:>5} {name:<8} {median[(worker_class, count, name)]:>8.0f} "
            f"{statistics.median(r['p50_ms'] for r in values):>8.2f} "
            f"{statistics.median(r['p99_ms'] for r in values):>8.2f} "
            f"{sum(r['bad'] for r in values):>5.0f} {ratio:>6}  "
            + " ".join(f"{r['rps']:.0f}" for r in values)
        )
    print(flush=True)


if __name__ == "__main__":
    main()
