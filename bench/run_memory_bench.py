"""Worker memory under signed-in load: RSS of one gunicorn worker after 10,000 and 50,000
authenticated `{ me { id email } }` requests (production configuration, worker recycling
off so the same process is measured throughout). Prints figures; the target is under 5%
growth from 10,000 to 50,000.

Environment: BENCH_CONNECTIONS (8), BENCH_WORKER_CLASS (sync).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from stack import Stack, log

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
CHECKPOINTS = (1_000, 10_000, 50_000)


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def main() -> None:
    with Stack() as stack:
        port = stack.gunicorn(workers=1, worker_class=WORKER_CLASS, GUNICORN_MAX_REQUESTS="0")
        master = stack.processes[-1].pid
        (worker,) = worker_pids(master)
        url = f"http://127.0.0.1:{port}/graphql/"
        log(f"one {WORKER_CLASS} worker (pid {worker}), max_requests off, wrk -c{CONNECTIONS}")
        rows: list[tuple[str, int, int, float, int]] = [("start", 0, rss_kib(worker), 0.0, 0)]
        done = 0
        for checkpoint in CHECKPOINTS:
            while done < checkpoint:
                # wrk runs for a duration, not a count: short runs, so that a checkpoint
                # is passed by at most a few seconds' worth of requests.
                run = stack.wrk(url, "me.lua", connections=CONNECTIONS, duration=3)
                done += int(run["requests"])
                if worker_pids(master) != [worker]:
                    sys.exit(f"the worker was replaced after {done} requests:\n{stack.logs()}")
                rows.append(("", done, rss_kib(worker), run["rps"], int(run["bad"])))
            rows[-1] = (f"after {checkpoint:,}", *rows[-1][1:])
            log(f"{done:,} requests, RSS {rows[-1][2] / 1024:.1f} MiB")
        print()
        print(f"{'checkpoint':<14} {'requests':>9} {'RSS MiB':>9} {'bad':>5}")
        bad = 0
        for name, count, rss, _, run_bad in rows:
            bad += run_bad
            if name:
                print(f"{name:<14} {count:>9,} {rss / 1024:>9.1f} {bad:>5}")
        at = {name: rss for name, _, rss, _, _ in rows if name}
        growth = (at["after 50,000"] - at["after 10,000"]) / at["after 10,000"] * 100
        rates = [rps for *_, rps, _ in rows[1:]]
        print(f"throughput of the 3 s runs: {min(rates):.0f}-{max(rates):.0f} req/s")
        print(f"RSS growth from 10,000 to 50,000 requests: {growth:+.2f}% (target < 5%)")
        print(flush=True)


if __name__ == "__main__":
    main()
