"""gunicorn.conf.py: loaded the way gunicorn loads it, under several environments."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def load(monkeypatch: pytest.MonkeyPatch, **env: str) -> Config:
    for name in list(os.environ):
        if name.startswith("GUNICORN_") or name == "FORWARDED_ALLOW_IPS":
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = Config()
    namespace = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    for key, value in namespace.items():
        if key in config.settings:
            config.set(key, value)
    return config


def test_defaults_are_sane(monkeypatch):
    config = load(monkeypatch)
    assert 2 <= config.workers <= 9
    assert config.worker_class_str == "sync"
    assert config.timeout == 30
    assert 0 < config.graceful_timeout <= config.timeout
    assert config.max_requests > 1000
    assert 0 < config.max_requests_jitter < config.max_requests
    assert config.keepalive > 0
    assert config.worker_tmp_dir == "/dev/shm"
    assert config.forwarded_allow_ips == ["127.0.0.1", "::1"]
    assert config.wsgi_app == "config.wsgi:application"
    assert config.accesslog == "-"


def test_environment_sets_the_knobs(monkeypatch):
    config = load(
        monkeypatch,
        GUNICORN_WORKERS="3",
        GUNICORN_WORKER_CLASS="gthread",
        GUNICORN_TIMEOUT="20",
        GUNICORN_GRACEFUL_TIMEOUT="10",
        GUNICORN_MAX_REQUESTS="100",
        GUNICORN_MAX_REQUESTS_JITTER="7",
        GUNICORN_BIND="127.0.0.1:9999",
        FORWARDED_ALLOW_IPS="10.0.0.2,10.0.0.3",
    )
    assert config.workers == 3
    assert config.worker_class_str == "gthread"
    assert config.threads == 4
    assert (config.timeout, config.graceful_timeout) == (20, 10)
    assert (config.max_requests, config.max_requests_jitter) == (100, 7)
    assert config.bind == ["127.0.0.1:9999"]
    assert config.forwarded_allow_ips == ["10.0.0.2", "10.0.0.3"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("GUNICORN_WORKERS", "many", "GUNICORN_WORKERS must be an integer"),
        ("GUNICORN_WORKER_CLASS", "eventlet", "must be sync or gthread"),
        ("GUNICORN_TIMEOUT", "-1", "must not be negative"),
    ],
)
def test_a_bad_value_stops_with_its_name(name, value, message):
    check = subprocess.run(
        [sys.executable, "-c", "import runpy; runpy.run_path('gunicorn.conf.py')"],
        cwd=ROOT,
        env={**os.environ, name: value},
        capture_output=True,
        text=True,
    )
    assert check.returncode != 0
    assert message in check.stderr


def test_the_access_log_never_writes_a_query_string_or_referer(monkeypatch):
    config = load(monkeypatch)
    fmt = config.access_log_format
    assert "%(U)s" in fmt
    for leaky in ("%(r)s", "%(q)s", "%(f)s", "{referer}i", "RAW_URI"):
        assert leaky not in fmt

    # and what it writes for a request with a token in its URL and its Referer
    class Response:
        status, sent, headers = "200 OK", 12, [("Content-Type", "application/json")]

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/graphql/?query=x&token=SECRET-IN-QUERY",
        "PATH_INFO": "/graphql/",
        "QUERY_STRING": "query=x&token=SECRET-IN-QUERY",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.9",
        "HTTP_REFERER": "https://app.example.com/reset-password?token=SECRET-IN-REFERER",
        "HTTP_USER_AGENT": "curl/8",
    }
    atoms = Logger(config).atoms(Response(), environ, environ, timedelta(milliseconds=5))
    line = fmt % atoms
    assert "GET /graphql/ HTTP/1.1" in line
    assert "SECRET" not in line
