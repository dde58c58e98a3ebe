from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client


def test_healthz_is_constant_and_does_no_io(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_readyz_checks_postgres_and_redis():
    assert connection.vendor == "postgresql"
    from django.core.cache import caches

    assert "redis" in type(caches["default"]).__module__
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_names_the_failing_part(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr("api.health._check_cache", down)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "failing": ["cache"]}
