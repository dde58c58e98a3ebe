from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User


@pytest.fixture
def admin_client(db) -> Client:
    admin = User.objects.create_superuser("root@example.com", "admin-passphrase-123")
    client = Client()
    client.force_login(admin)
    return client


def test_users_are_searchable_by_email(admin_client):
    User.objects.create_user("ada@example.com", "x" * 12)
    User.objects.create_user("grace@example.com", "x" * 12)
    response = admin_client.get("/admin/accounts/user/", {"q": "ADA@"})
    assert response.status_code == 200
    assert b"ada@example.com" in response.content
    assert b"grace@example.com" not in response.content


def test_profiles_are_searchable_by_email(admin_client):
    User.objects.create_user("ada@example.com", "x" * 12)
    response = admin_client.get("/admin/accounts/profile/", {"q": "ada@example.com"})
    assert response.status_code == 200
    assert b"Profile of" in response.content


def test_admin_can_add_a_user_with_the_email_form(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "New@Example.com",
            "usable_password": "true",
            "password1": "a-long-admin-chosen-pass",
            "password2": "a-long-admin-chosen-pass",
            "profile-TOTAL_FORMS": "0",
            "profile-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    user = User.objects.get(email="new@example.com")
    assert user.check_password("a-long-admin-chosen-pass")
