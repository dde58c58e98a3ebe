"""13.5: the token and content suites pass through a real PgBouncer in transaction mode.

The suites run in a child pytest whose DATABASE_URL points at PgBouncer, with
DATABASE_POOLER=pgbouncer. PgBouncer passes every database name through, so the child
creates its test database through it (CREATE DATABASE runs in autocommit, outside any
transaction block, which transaction pooling allows). Dropping it through PgBouncer could
not work: PgBouncer keeps its server connections to that database open, and PostgreSQL
refuses to drop a database in use. So the child keeps its database (--reuse-db) and this
test drops it on PostgreSQL itself once PgBouncer has stopped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psycopg
from django.db import connection

from config.tests.services import PgBouncer
from observability.tests.servers import ROOT


def _drop_database(name: str) -> None:
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"],
        port=database["PORT"] or 5432,
        user=database["USER"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_settings_for_pgbouncer_turn_off_what_cannot_cross_transactions():
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['OPTIONS'].get('pool'), d['OPTIONS']['prepare_threshold'], "
        "d['DISABLE_SERVER_SIDE_CURSORS'], d['CONN_MAX_AGE'] > 0, d['CONN_HEALTH_CHECKS'])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT / "server"),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:6432/gatehouse",
        "DATABASE_POOLER": "pgbouncer",
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == ["None", "None", "True", "True", "True"]


def test_token_and_content_suites_pass_through_pgbouncer(db, tmp_path_factory):
    database = connection.settings_dict
    bouncer = PgBouncer(
        tmp_path_factory.mktemp("pgbouncer"),
        host=database["HOST"] or "127.0.0.1",
        port=int(database["PORT"] or 5432),
    )
    child: subprocess.Popen[str] | None = None
    try:
        bouncer.wait()
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{bouncer.port}/gatehouse",
            "DATABASE_POOLER": "pgbouncer",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        started = time.monotonic()
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pytest",
                "server/tokens",
                "server/content",
                "-q",
                "-p",
                "no:cacheprovider",
                "--reuse-db",
                "-x",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output, _ = child.communicate(timeout=600)
        elapsed = time.monotonic() - started
    finally:
        bouncer.stop()
        if child is not None:
            if child.poll() is None:
                child.kill()
                child.wait()
            _drop_database(f"test_gatehouse_{child.pid}")
    assert child.returncode == 0, output[-6000:]
    summary = output.strip().splitlines()[-1]
    assert " passed" in summary
    assert "failed" not in summary
    assert "error" not in summary
    # the child went through PgBouncer: its log shows the test database's server logins
    assert f"test_gatehouse_{child.pid}" in bouncer.process.log_path.read_text()
    print(f"tokens + content through PgBouncer: {summary} ({elapsed:.0f} s)")


# A queryset iterated in chunks while another client takes the server connection between
# two chunks: with a server-side cursor the next FETCH lands on another server connection.
ITERATE = """
import sys

import django
import psycopg

django.setup()
from django.contrib.contenttypes.models import ContentType
from django.db import connection

if sys.argv[1] == "server-side-cursors":
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = False
rows = ContentType.objects.order_by("pk").iterator(chunk_size=1)
first = next(rows)
with psycopg.connect(sys.argv[2]) as other:  # a transaction: it holds a server connection
    other.execute("SELECT 1")
    rest = list(rows)
print("read", 1 + len(rest), "rows")
"""


def test_without_server_side_cursors_a_chunked_read_survives_pgbouncer(db, tmp_path_factory):
    database = connection.settings_dict
    bouncer = PgBouncer(
        tmp_path_factory.mktemp("pgbouncer"),
        host=database["HOST"] or "127.0.0.1",
        port=int(database["PORT"] or 5432),
    )
    url = f"postgres://postgres@127.0.0.1:{bouncer.port}/{database['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT / "server"),
        "DATABASE_URL": url,
        "DATABASE_POOLER": "pgbouncer",
    }
    try:
        bouncer.wait()
        runs = {
            mode: subprocess.run(
                [sys.executable, "-c", ITERATE, mode, url],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            for mode in ("as configured", "server-side-cursors")
        }
    finally:
        bouncer.stop()
    configured, server_side = runs["as configured"], runs["server-side-cursors"]
    assert configured.returncode == 0, configured.stderr
    assert configured.stdout.startswith("read ")
    # what DISABLE_SERVER_SIDE_CURSORS prevents
    assert server_side.returncode != 0
    assert "does not exist" in server_side.stderr
