"""The Django admin's sign-in: throttled like the API's login; it can be moved or off."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.test import Client, override_settings
from django.urls import clear_url_caches

from accounts.models import User
from tokens.tests.helpers import data, login

pytestmark = pytest.mark.django_db

PASSWORD = "admin-passphrase-123"


@pytest.fixture
def staff() -> User:
    return User.objects.create_superuser("root@example.com", PASSWORD)


def admin_login(client: Client, password: str, *, path: str = "/admin/", **headers: str):
    return client.post(
        f"{path}login/?next={path}",
        {"username": "root@example.com", "password": password, "next": path},
        headers=headers,
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and "login" not in response["Location"]


def test_the_right_password_signs_in(staff):
    assert signed_in(admin_login(Client(), PASSWORD))


def test_fifteen_wrong_passwords_then_the_right_one_is_refused(staff):
    client = Client()
    for _ in range(15):
        assert admin_login(client, "wrong-password").status_code == 200

    response = admin_login(client, PASSWORD)

    assert not signed_in(response)
    assert b"Too many sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_the_per_ip_limit_applies_across_addresses(staff):
    client = Client()
    with override_settings(LOGIN_RATE_LIMIT_PER_IP=5):
        for n in range(5):
            client.post(
                "/admin/login/", {"username": f"guess{n}@example.com", "password": "nope-nope"}
            )
        assert not signed_in(admin_login(client, PASSWORD))
        # from another address the owner still gets in
        assert signed_in(admin_login(Client(REMOTE_ADDR="203.0.113.9"), PASSWORD))


def test_admin_and_api_guesses_count_together(gql, staff):
    for _ in range(10):
        login(gql, "root@example.com", "wrong-password")
    assert not signed_in(admin_login(Client(), PASSWORD))
    payload = data(login(gql, "root@example.com", PASSWORD))["login"]
    assert [e["code"] for e in payload["errors"]] == ["RATE_LIMITED"]


@pytest.fixture
def reload_urls() -> Iterator[None]:
    """Rebuild the URLconf from the settings in force (the admin route is decided there)."""
    import config.urls

    def reload() -> None:
        importlib.reload(config.urls)
        clear_url_caches()

    yield reload  # type: ignore[misc]
    reload()


def test_admin_can_be_turned_off(staff, reload_urls):
    with override_settings(ADMIN_ENABLED=False):
        reload_urls()
        assert Client().get("/admin/login/").status_code == 404
        assert admin_login(Client(), PASSWORD).status_code == 404


def test_admin_can_be_moved(staff, reload_urls):
    with override_settings(ADMIN_PATH="staff-only-4f2a/"):
        reload_urls()
        assert Client().get("/admin/login/").status_code == 404
        assert Client().get("/staff-only-4f2a/login/").status_code == 200
        assert signed_in(admin_login(Client(), PASSWORD, path="/staff-only-4f2a/"))


SHOW_ADMIN = (
    "from django.conf import settings; from django.urls import Resolver404, resolve\n"
    "try:\n    resolve('/' + settings.ADMIN_PATH); print('served', settings.ADMIN_PATH)\n"
    "except Resolver404:\n    print('off')"
)


def test_production_has_no_admin_unless_asked_for():
    from core.tests.test_settings import manage, production_env

    default = manage("shell", "--no-imports", "-c", SHOW_ADMIN, env=production_env())
    assert default.stdout.strip() == "off", default.stderr
    enabled = manage(
        *("shell", "--no-imports", "-c", SHOW_ADMIN),
        env=production_env(ADMIN_ENABLED="true", ADMIN_PATH="/ops/"),
    )
    assert enabled.stdout.strip() == "served ops/", enabled.stderr
    refused = manage("check", env=production_env(ADMIN_PATH="graphql"))
    assert refused.returncode != 0 and "ADMIN_PATH" in refused.stderr
