"""compose.yaml cannot run here (no Docker engine): check it against the README, the
Dockerfile, .env.example and the settings, which is everything that can be checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ops.tests.compose_file import interpolate

ROOT = Path(__file__).resolve().parents[3]
LONG_RUNNING_RESTART = {"always", "unless-stopped", "on-failure"}


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def services() -> dict[str, dict]:
    return compose()["services"]


def documented_variables() -> set[str]:
    names = set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^(?:# )?([A-Z][A-Z0-9_]*)=", line)
        if match:
            names.add(match.group(1))
    return names


def variables_read_by_the_code() -> set[str]:
    """Every literal variable name the server, the worker and gunicorn read."""
    reads = re.compile(
        r"(?:env\.(?:str|int|list|bool|duration)|environ\.get|getenv|_int)\(\s*\"([A-Z][A-Z0-9_]*)\""
    )
    names: set[str] = set()
    files = [ROOT / "gunicorn.conf.py", ROOT / "manage.py", *(ROOT / "server").rglob("*.py")]
    for path in files:
        parts = set(path.relative_to(ROOT).parts)
        if "tests" in parts or path.name in {"conftest.py", "settings_test.py", "testing.py"}:
            continue
        names.update(reads.findall(path.read_text()))
    return names


def test_the_stack_has_every_promised_service_and_the_readme_names_them():
    names = set(services())
    assert {
        "postgres",
        "redis",
        "mailpit",
        "migrate",
        "server-1",
        "server-2",
        "worker",
        "proxy",
    } <= names
    readme = (ROOT / "README.md").read_text()
    for name in names:
        assert f"`{name}`" in readme, f"README does not mention the {name} service"
    # every service the README's compose table lists exists
    table = readme.split("## The whole stack with Docker", 1)[1].split("\n## ", 1)[0]
    for name in re.findall(r"^\| `([a-z0-9-]+)` \|", table, re.MULTILINE):
        assert name in names, f"README lists a service compose does not have: {name}"


def test_every_service_has_a_restart_policy_and_a_health_check():
    for name, service in services().items():
        assert "restart" in service, f"{name} has no restart policy"
        if name == "migrate":
            # a one-shot: its exit code is its check and it is not restarted after success
            assert service["restart"] == "no"
            continue
        assert service["restart"] in LONG_RUNNING_RESTART, name
        check = service.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"


def test_migrations_run_once_before_the_servers_and_the_worker():
    stack = services()
    assert "migrate --noinput" in " ".join(stack["migrate"]["command"])
    for name in ("server-1", "server-2", "worker"):
        assert stack[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        assert "migrate" not in " ".join(stack[name]["command"])
    assert stack["proxy"]["depends_on"] == {
        "server-1": {"condition": "service_healthy"},
        "server-2": {"condition": "service_healthy"},
    }


def test_two_identical_server_replicas_run_gunicorn_with_its_config_file():
    stack = services()
    one, two = stack["server-1"], stack["server-2"]
    assert one == two
    assert one["command"] == ["gunicorn", "--config", "gunicorn.conf.py"]
    assert (ROOT / "gunicorn.conf.py").exists()
    # the worker and migrations share the servers' configuration; only the servers, whose
    # gunicorn workers share metrics, have a multiprocess folder (in memory)
    server_env = dict(one["environment"])
    assert server_env.pop("PROMETHEUS_MULTIPROC_DIR").startswith("/dev/shm/")
    for name in ("worker", "migrate"):
        assert stack[name]["environment"] == server_env
        assert stack[name]["env_file"] == one["env_file"]
    assert stack["worker"]["command"] == ["python", "manage.py", "worker"]
    assert "worker_health" in stack["worker"]["healthcheck"]["test"]


def test_the_proxy_routes_to_both_replicas_and_only_it_and_mailpit_are_published():
    stack = services()
    upstreams = (ROOT / "deploy/nginx/upstreams.conf").read_text()
    for name in ("server-1", "server-2"):
        assert f"server {name}:8000" in upstreams
    published = {name for name, service in stack.items() if service.get("ports")}
    assert published == {"proxy", "mailpit"}


def test_redis_keeps_an_append_only_file_and_never_evicts():
    command = services()["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"


def test_every_variable_compose_uses_is_documented_in_env_example():
    text = (ROOT / "compose.yaml").read_text()
    interpolated = set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", text))
    environment: set[str] = set()
    for name, service in services().items():
        variables = set(service.get("environment") or {})
        if name == "proxy":
            # the proxy image's own template variables, set from PROXY_* (checked below)
            assert all(v.startswith("GATEHOUSE_") for v in variables), variables
            continue
        environment.update(variables)
        for env_file in service.get("env_file") or []:
            path = env_file["path"] if isinstance(env_file, dict) else env_file
            assert path == ".env", "compose reads only .env, documented by .env.example"
    # POSTGRES_USER / POSTGRES_DB are the postgres image's own, fixed in compose
    undocumented = (interpolated | environment) - documented_variables()
    undocumented -= {"POSTGRES_USER", "POSTGRES_DB"}
    assert not undocumented, f"not in .env.example: {sorted(undocumented)}"


def test_every_variable_the_code_reads_is_documented_in_env_example():
    read = variables_read_by_the_code()
    assert {"SECRET_KEY", "DATABASE_URL", "GUNICORN_WORKERS", "GOOGLE_TOKEN_URL"} <= read
    missing = read - documented_variables()
    assert not missing, f"read by the code but not in .env.example: {sorted(missing)}"


@pytest.mark.parametrize(
    "name",
    [
        "METRICS_TOKEN",
        "REDIS_SENTINELS",
        "REDIS_SENTINEL_MASTER",
        "DATABASE_POOLER",
        "ADMIN_ENABLED",
        "ADMIN_PATH",
        "GRAPHQL_TRUSTED_DOCUMENTS",
        "GRAPHQL_MAX_FIELDS",
    ],
)
def test_variables_of_the_other_production_features_are_documented(name):
    assert name in documented_variables()


def dockerfile_copies() -> list[tuple[str, list[str]]]:
    """(stage, sources) of every COPY from the build context (not --from=another stage)."""
    copies, stage = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("FROM "):
            stage = line.split(" AS ")[-1].strip() if " AS " in line else ""
        if line.startswith("COPY ") and "--from=" not in line:
            *sources, _ = line.split()[1:]
            copies.append((stage, sources))
    return copies


def test_the_images_build_from_files_that_exist():
    client_present = (ROOT / "frontend-client" / "package.json").exists()
    for stage, sources in dockerfile_copies():
        for source in sources:
            if stage == "client" and not client_present:
                # the web client is built on its own branch; once merged it is checked too
                assert source.startswith("frontend-client/"), source
                continue
            assert (ROOT / source).exists(), f"{stage}: COPY {source}"
    named = set(compose().get("volumes") or {})
    for name, service in services().items():
        for volume in service.get("volumes") or []:
            # as without a .env: the defaults
            source = interpolate(volume, {}).split(":", 1)[0]
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"{name} mounts {source}, which is missing"
            else:
                assert source in named, f"{name} mounts an undeclared volume {source}"
    for service in services().values():
        build = service.get("build")
        if build:
            assert (ROOT / build["context"] / "Dockerfile").exists()
            assert f"AS {build['target']}" in (ROOT / "Dockerfile").read_text()


def test_the_image_respects_the_lock_file_and_runs_as_non_root():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen --no-dev" in dockerfile
    stages = dockerfile.split("\nFROM ")
    server = next(s for s in stages if " AS server" in s.splitlines()[0])
    proxy = next(s for s in stages if " AS proxy" in s.splitlines()[0])
    assert "USER gatehouse" in server
    assert server.rstrip().splitlines()[-1] == 'CMD ["gunicorn", "--config", "gunicorn.conf.py"]'
    assert "nginx-unprivileged" in proxy and "USER nginx" in proxy
    # the last stage is what a plain `docker build .` makes: the server
    assert " AS server" in stages[-1].splitlines()[0]
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git", "frontend-client/node_modules"} <= set(ignored)


def proxy_stage() -> str:
    return next(
        stage
        for stage in (ROOT / "Dockerfile").read_text().split("\nFROM ")
        if " AS proxy" in stage.splitlines()[0]
    )


def test_the_proxy_image_fills_every_placeholder_of_the_nginx_templates():
    templates = sorted((ROOT / "deploy/nginx").glob("*.template"))
    assert [t.name for t in templates] == [
        "gatehouse.conf.template",
        "tls-off.conf.template",
        "tls-on.conf.template",
    ]
    placeholders = set()
    for template in templates:
        placeholders |= set(re.findall(r"\$\{(GATEHOUSE_[A-Z_]+)\}", template.read_text()))
    assert placeholders == {
        "GATEHOUSE_LISTEN",
        "GATEHOUSE_UPSTREAMS",
        "GATEHOUSE_WEB_ROOT",
        "GATEHOUSE_TLS",
        "GATEHOUSE_CONF_DIR",
        "GATEHOUSE_TLS_LISTEN",
        "GATEHOUSE_TLS_CERTIFICATE",
        "GATEHOUSE_TLS_CERTIFICATE_KEY",
    }
    proxy = proxy_stage()
    image_env = dict(re.findall(r"\b(GATEHOUSE_[A-Z_]+)=(\S+)", proxy))
    assert placeholders == set(image_env), "the proxy image must set every placeholder"
    assert image_env["GATEHOUSE_TLS"] == "off"  # compose's default too
    # the main template goes where the nginx image renders it into conf.d/ (which nginx.conf
    # includes); the included ones into a subfolder of it, which nginx.conf does not include
    assert "/etc/nginx/templates/gatehouse.conf.template" in proxy
    conf_dir = image_env["GATEHOUSE_CONF_DIR"]
    assert conf_dir.startswith("/etc/nginx/conf.d/") and conf_dir.count("/") == 4
    subfolder = conf_dir.removeprefix("/etc/nginx/conf.d/")
    assert (
        "deploy/nginx/tls-on.conf.template deploy/nginx/tls-off.conf.template "
        f"/etc/nginx/templates/{subfolder}/"
    ) in proxy
    assert f"deploy/nginx/upstreams.conf {image_env['GATEHOUSE_UPSTREAMS']}" in proxy
    assert "EXPOSE 8080 8443" in proxy


def test_the_proxy_publishes_http_and_https_and_mounts_the_certificate_folder():
    proxy = services()["proxy"]
    assert proxy["environment"] == {"GATEHOUSE_TLS": "${PROXY_TLS:-off}"}
    assert proxy["ports"] == ["${PROXY_HTTP_PORT:-8080}:8080", "${PROXY_HTTPS_PORT:-8443}:8443"]
    image_env = dict(re.findall(r"\b(GATEHOUSE_[A-Z_]+)=(\S+)", proxy_stage()))
    (volume,) = proxy["volumes"]
    source, target, mode = volume.rsplit(":", 2)
    assert (source, mode) == ("${PROXY_TLS_DIR:-./deploy/tls}", "ro")
    for name in ("GATEHOUSE_TLS_CERTIFICATE", "GATEHOUSE_TLS_CERTIFICATE_KEY"):
        assert image_env[name].startswith(target + "/"), name
    assert image_env["GATEHOUSE_TLS_LISTEN"] == "8443"
    assert image_env["GATEHOUSE_LISTEN"] == "8080"
    # the private key never enters git nor an image
    assert "deploy/tls" in (ROOT / ".dockerignore").read_text().split()
    assert (ROOT / "deploy/tls/.gitignore").read_text().splitlines()[-2:] == ["*", "!.gitignore"]
    # the health check is the one path plain HTTP may use with TLS on
    assert proxy["healthcheck"]["test"][-1] == "http://127.0.0.1:8080/proxy-healthz"
    assert (
        '"on:http:/proxy-healthz" 0;' in (ROOT / "deploy/nginx/gatehouse.conf.template").read_text()
    )


def test_the_minimum_compose_version_is_stated():
    # env_file entries with `required:` need Docker Compose 2.24.0.
    text = (ROOT / "compose.yaml").read_text()
    assert "Docker Compose v2.24.0 or later" in text
    assert "required: false" in text
