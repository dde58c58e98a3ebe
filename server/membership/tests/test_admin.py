"""The admin pages for plans, subscriptions, articles and webhook events render."""

from __future__ import annotations

import pytest

from accounts.models import User
from membership.tests.fixtures import make_article, make_plan, make_subscription


@pytest.fixture
def staff_client(client, db):
    admin = User.objects.create_superuser("admin@example.com", "an-admin-passphrase-1")
    client.force_login(admin)
    return client


def test_membership_and_content_admin_pages(staff_client, user):
    plan = make_plan("basic", tier=1)
    subscription = make_subscription(user, plan)
    article = make_article("hello", tier=1)
    for url in (
        "/admin/membership/plan/",
        f"/admin/membership/plan/{plan.pk}/change/",
        "/admin/membership/subscription/?q=ada",
        f"/admin/membership/subscription/{subscription.pk}/change/",
        "/admin/membership/processedwebhookevent/",
        "/admin/content/article/?q=hello",
        f"/admin/content/article/{article.pk}/change/",
        "/admin/content/article/add/",
    ):
        response = staff_client.get(url)
        assert response.status_code == 200, url
    listing = staff_client.get("/admin/membership/subscription/").content.decode()
    assert "ada@example.com" in listing
