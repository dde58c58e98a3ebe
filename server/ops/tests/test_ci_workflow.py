"""The CI workflow (.github/workflows/ci.yml) that every fork runs: the same command as
.ci/run (which ends in bin/test), on the services and versions the suite needs. GitHub
Actions cannot run here; this checks what can be checked without it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def workflow() -> dict[Any, Any]:
    return yaml.safe_load(WORKFLOW.read_text())


def job() -> dict[str, Any]:
    (only,) = workflow()["jobs"].values()
    return only


def test_it_runs_on_every_push_and_pull_request_without_secrets():
    # YAML 1.1 reads the key `on` as true
    triggers = workflow()[True]
    assert {"push", "pull_request"} <= set(triggers)
    assert triggers["push"] is None and triggers["pull_request"] is None  # every branch
    assert workflow()["permissions"] == {"contents": "read"}
    assert "secrets." not in WORKFLOW.read_text()


def test_it_runs_ci_run_which_runs_bin_test():
    runs = [step["run"] for step in job()["steps"] if "run" in step]
    assert runs[-1] == ".ci/run"
    ci_run = (ROOT / ".ci/run").read_text()
    assert ci_run.rstrip().splitlines()[-1] == "exec bin/test"
    # the checkout comes first, so .ci/run and bin/test are there
    assert job()["steps"][0]["uses"].startswith("actions/checkout@")


def test_postgresql_and_redis_are_service_containers_the_suite_is_pointed_at():
    services = job()["services"]
    assert set(services) == {"postgres", "redis"}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["postgres"]["env"]["POSTGRES_HOST_AUTH_METHOD"] == "trust"
    assert services["redis"]["image"] == "redis:7"
    for service in services.values():
        assert "--health-cmd" in service["options"]
    env = job()["env"]
    # In a container job, services are reached by their names (not 127.0.0.1).
    assert env["DATABASE_URL"].startswith("postgres://postgres@postgres:5432/")
    assert env["REDIS_URL"].startswith("redis://redis:6379/")
    assert env["E2E_POSTGRES_ADMIN_URL"].startswith("postgresql://postgres@postgres:5432/")
    assert env["CI"] == "true"


def test_python_3_12_node_20_and_debian_for_its_packages():
    image = job()["container"]["image"]
    # Debian, whose chromium package is a real /usr/bin/chromium (Ubuntu's is a snap)
    assert re.fullmatch(r"python:3\.12-bookworm", image), image
    assert (ROOT / ".python-version").read_text().strip() == "3.12"
    (node,) = [s for s in job()["steps"] if s.get("uses", "").startswith("actions/setup-node@")]
    assert str(node["with"]["node-version"]) == "20"
    # the browser tests use this path, and no downloaded browser
    assert job()["env"]["CHROMIUM_PATH"] == "/usr/bin/chromium"
    assert (
        "process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'"
        in (ROOT / "frontend-client" / "playwright.config.ts").read_text()
    )
    # .ci/run installs what is missing, Chromium included, with apt
    ci_run = (ROOT / ".ci/run").read_text()
    for package in ("nginx-light", "pgbouncer", "redis-server", "chromium"):
        assert f"missing+=({package})" in ci_run, package
