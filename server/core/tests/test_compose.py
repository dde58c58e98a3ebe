"""compose.yaml cannot run here (no Docker engine), so check what can be checked."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]


def load() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_names_the_promised_services():
    services = load()["services"]
    assert {"postgres", "redis", "mailpit", "server", "worker"} <= set(services)
    readme = (ROOT / "README.md").read_text()
    for name in services:
        assert f"`{name}`" in readme, f"README does not mention the {name} service"


def test_redis_keeps_an_append_only_file():
    assert "--appendonly" in load()["services"]["redis"]["command"]
    assert "yes" in load()["services"]["redis"]["command"]


def test_server_and_worker_share_configuration_and_wait_for_their_dependencies():
    services = load()["services"]
    assert services["server"]["environment"] == services["worker"]["environment"]
    env = services["server"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert env["EMAIL_URL"] == "smtp://mailpit:1025"
    assert services["server"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["worker"]["command"][-1] == "worker"


def test_the_image_builds_from_files_that_exist():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            *sources, _ = line.split()[1:]
            for source in sources:
                assert (ROOT / source).exists(), source
