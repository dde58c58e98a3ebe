"""The servers' container health check (server/ops/healthcheck.py): where it asks and as
which host. test_compose_run runs it for real against gunicorn under production settings."""

from __future__ import annotations

import pytest

from ops.healthcheck import HealthCheckError, address, host_header, main


@pytest.mark.parametrize(
    ("bind", "expected"),
    [
        ("", ("127.0.0.1", 8000)),
        ("0.0.0.0:8000", ("127.0.0.1", 8000)),
        ("127.0.0.1:9001", ("127.0.0.1", 9001)),
        ("[::]:8000", ("::1", 8000)),
        ("[::1]:8080", ("::1", 8080)),
        ("10.0.0.5:8000,127.0.0.1:8001", ("10.0.0.5", 8000)),
        ("localhost", ("localhost", 8000)),
    ],
)
def test_the_first_bound_address_is_reached_on_loopback_when_it_is_a_wildcard(bind, expected):
    assert address(bind) == expected


@pytest.mark.parametrize("bind", ["unix:/run/gunicorn.sock", "fd://3", "0.0.0.0:http"])
def test_an_address_it_cannot_reach_over_tcp_is_a_clear_error(bind):
    with pytest.raises(HealthCheckError, match="GUNICORN_BIND"):
        address(bind)


@pytest.mark.parametrize(
    ("allowed", "expected"),
    [
        ("api.example.com", "api.example.com"),
        (" api.example.com , api2.example.com", "api.example.com"),
        (".example.com", "example.com"),
        ("*", "localhost"),
        ("*,api.example.com", "api.example.com"),
        ("", "localhost"),
    ],
)
def test_the_host_header_is_one_allowed_hosts_accepts(allowed, expected):
    assert host_header(allowed) == expected


def test_nothing_listening_is_unhealthy_and_a_bad_call_is_a_usage_error(monkeypatch, capsys):
    from api.testing import free_port

    monkeypatch.setenv("GUNICORN_BIND", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("ALLOWED_HOSTS", "api.example.com")
    assert main(["healthcheck.py", "/readyz"]) == 1
    assert capsys.readouterr().out.startswith("unhealthy: 127.0.0.1:")
    assert main(["healthcheck.py", "readyz"]) == 2
    assert main(["healthcheck.py"]) == 2
