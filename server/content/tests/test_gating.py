"""The gating matrix: who gets an article's body, through `articles` and `article`.

Every check also searches the raw response text for the body, so that a leak through
any other field (or an error message) would fail too.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from membership.models import Plan, SubscriptionStatus
from membership.tests.fixtures import (
    make_article,
    make_plan,
    make_subscription,
    post_webhook,
    sign,
    stripe_event,
)

ARTICLE_FIELDS = "id slug title summary publishedAt requiredTier premium locked body"
ARTICLES = f"""
query Articles($first: Int, $after: String) {{
  articles(first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{ {ARTICLE_FIELDS} }} }}
  }}
}}
"""
ARTICLE = f"query One($slug: String!) {{ article(slug: $slug) {{ {ARTICLE_FIELDS} }} }}"

FREE, PREMIUM, PRO = "free-article", "premium-article", "pro-article"
EVERY_SLUG = (FREE, PREMIUM, PRO)


@pytest.fixture
def catalogue(db: None) -> dict[str, Plan]:
    make_article(FREE, tier=0, days_ago=3)
    make_article(PREMIUM, tier=1, days_ago=2)
    make_article(PRO, tier=2, days_ago=1)
    return {"basic": make_plan("basic", tier=1), "pro": make_plan("pro", tier=2)}


def body_of(slug: str) -> str:
    return f"SECRET-BODY-{slug}-full-text"


def now():
    return timezone.now()


def _subscribe_pro(user: User, plans: dict[str, Plan], *, status: str) -> None:
    make_subscription(user, plans["pro"], status=status)


Setup = Callable[[User, dict[str, Plan]], object] | None

# scenario id → (how the viewer is set up (None: anonymous), the slugs they may read)
MATRIX: dict[str, tuple[Setup, set[str]]] = {
    "anonymous": (None, {FREE}),
    "signed-in-without-subscription": (lambda user, plans: None, {FREE}),
    "active-basic": (lambda u, p: make_subscription(u, p["basic"]), {FREE, PREMIUM}),
    "active-pro": (lambda u, p: make_subscription(u, p["pro"]), {FREE, PREMIUM, PRO}),
    "trialing-basic": (
        lambda u, p: make_subscription(u, p["basic"], status=SubscriptionStatus.TRIALING),
        {FREE, PREMIUM},
    ),
    "past-due-inside-grace": (
        lambda u, p: make_subscription(
            u,
            p["pro"],
            status=SubscriptionStatus.PAST_DUE,
            past_due_since=now() - timedelta(days=2),
        ),
        {FREE, PREMIUM, PRO},
    ),
    "past-due-outside-grace": (
        lambda u, p: make_subscription(
            u,
            p["pro"],
            status=SubscriptionStatus.PAST_DUE,
            past_due_since=now() - timedelta(days=3, minutes=1),
        ),
        {FREE},
    ),
    "past-due-period-ended-inside-grace": (
        lambda u, p: make_subscription(
            u, p["pro"], status=SubscriptionStatus.PAST_DUE, period_end=now() - timedelta(days=1)
        ),
        {FREE, PREMIUM, PRO},
    ),
    "past-due-period-ended-outside-grace": (
        lambda u, p: make_subscription(
            u, p["pro"], status=SubscriptionStatus.PAST_DUE, period_end=now() - timedelta(days=4)
        ),
        {FREE},
    ),
    "active-period-ended": (
        lambda u, p: make_subscription(u, p["pro"], period_end=now() - timedelta(seconds=1)),
        {FREE},
    ),
    "trialing-period-ended": (
        lambda u, p: make_subscription(
            u,
            p["pro"],
            status=SubscriptionStatus.TRIALING,
            period_end=now() - timedelta(seconds=1),
        ),
        {FREE},
    ),
    **{
        f"{status}-pro": (functools.partial(_subscribe_pro, status=status), {FREE})
        for status in (
            SubscriptionStatus.INCOMPLETE,
            SubscriptionStatus.INCOMPLETE_EXPIRED,
            SubscriptionStatus.CANCELED,
            SubscriptionStatus.UNPAID,
            SubscriptionStatus.PAUSED,
        )
    },
    "canceled-pro-and-active-basic": (
        lambda u, p: (
            make_subscription(u, p["pro"], status=SubscriptionStatus.CANCELED),
            make_subscription(u, p["basic"]),
        ),
        {FREE, PREMIUM},
    ),
}


def _viewer_token(scenario: str, user: User, access_token: str, plans) -> str | None:
    setup, _ = MATRIX[scenario]
    if setup is None:
        return None
    setup(user, plans)
    return access_token


def _assert_gated(node: dict, readable: set[str]) -> None:
    slug = node["slug"]
    if slug in readable:
        assert node["locked"] is False
        assert node["body"] == body_of(slug)
    else:
        assert node["locked"] is True
        assert node["body"] is None
    assert node["summary"] == f"Summary of {slug}."
    assert node["premium"] is (slug != FREE)


@pytest.mark.parametrize("scenario", list(MATRIX))
def test_articles_list_gates_bodies(gql, user, access_token, catalogue, scenario):
    # given
    token = _viewer_token(scenario, user, access_token, catalogue)
    readable = MATRIX[scenario][1]
    # when
    result = gql(ARTICLES, {"first": 10}, token=token)
    # then
    assert result.errors == []
    nodes = [edge["node"] for edge in result.data["articles"]["edges"]]
    assert [n["slug"] for n in nodes] == [PRO, PREMIUM, FREE]  # newest first
    for node in nodes:
        _assert_gated(node, readable)
    raw = result.response.content.decode()
    for slug in EVERY_SLUG:
        assert (body_of(slug) in raw) is (slug in readable), slug


@pytest.mark.parametrize("scenario", list(MATRIX))
def test_single_article_gates_body(gql, user, access_token, catalogue, scenario):
    token = _viewer_token(scenario, user, access_token, catalogue)
    readable = MATRIX[scenario][1]
    for slug in EVERY_SLUG:
        result = gql(ARTICLE, {"slug": slug}, token=token)
        assert result.errors == []
        _assert_gated(result.data["article"], readable)
        assert (body_of(slug) in result.response.content.decode()) is (slug in readable)


@pytest.fixture
def plain_path(settings) -> None:
    """The statements of the plain path itself: no answer comes from the content cache."""
    settings.CONTENT_CACHE_TTL = timedelta(0)


def test_body_is_not_loaded_or_leaked_when_only_metadata_is_asked(gql, catalogue, plain_path):
    with sql_statements() as seen:
        result = gql("{ articles(first: 5) { edges { node { slug title summary } } } }")
    assert result.errors == []
    assert "SECRET-BODY" not in result.response.content.decode()
    (page,) = seen
    assert '"content_article"."body"' not in page


def test_unpublished_and_future_articles_are_invisible(gql, user, access_token, catalogue):
    make_subscription(user, catalogue["pro"])
    make_article("draft", tier=0, published_at=None)
    make_article("scheduled", tier=0, days_ago=-1)
    listed = gql(ARTICLES, {"first": 50}, token=access_token)
    assert {e["node"]["slug"] for e in listed.data["articles"]["edges"]} == set(EVERY_SLUG)
    assert listed.data["articles"]["totalCount"] == 3
    for slug in ("draft", "scheduled", "no-such-article"):
        assert gql(ARTICLE, {"slug": slug}, token=access_token).data == {"article": None}
    raw = listed.response.content.decode()
    assert body_of("draft") not in raw and body_of("scheduled") not in raw


def test_pages_follow_each_other_without_gaps(gql, catalogue):
    first = gql(ARTICLES, {"first": 2}).data["articles"]
    assert [e["node"]["slug"] for e in first["edges"]] == [PRO, PREMIUM]
    assert first["pageInfo"]["hasNextPage"] is True
    # A newer article published between two page loads must not shift the next page.
    make_article("breaking-news", tier=0, days_ago=0.01)
    second = gql(ARTICLES, {"first": 2, "after": first["pageInfo"]["endCursor"]}).data
    assert [e["node"]["slug"] for e in second["articles"]["edges"]] == [FREE]
    assert second["articles"]["pageInfo"]["hasNextPage"] is False


# --- live state: the next request with the same access token sees the change ------------


def test_lapsed_period_locks_on_the_next_request_with_the_same_token(
    gql, user, access_token, catalogue
):
    subscription = make_subscription(user, catalogue["basic"])
    assert gql(ARTICLE, {"slug": PREMIUM}, token=access_token).data["article"]["locked"] is False
    # when the period ends (no renewal came)
    subscription.current_period_end = timezone.now() - timedelta(seconds=1)
    subscription.save()
    # then
    result = gql(ARTICLE, {"slug": PREMIUM}, token=access_token)
    assert result.data["article"] == {**result.data["article"], "locked": True, "body": None}
    assert body_of(PREMIUM) not in result.response.content.decode()


def test_stripe_cancellation_locks_on_the_next_request_with_the_same_token(
    gql, client, user, access_token, catalogue, webhook_secret
):
    # given an active Stripe subscription
    make_subscription(
        user,
        catalogue["pro"],
        provider="stripe",
        provider_subscription_id="sub_live",
        provider_customer_id="cus_live",
    )
    assert gql(ARTICLE, {"slug": PRO}, token=access_token).data["article"]["body"] == body_of(PRO)
    # when Stripe reports it deleted (e.g. cancelled from the dashboard, refunded)
    period = int(time.time())
    deleted = stripe_event(
        "customer.subscription.deleted",
        {
            "id": "sub_live",
            "object": "subscription",
            "customer": "cus_live",
            "status": "canceled",
            "cancel_at_period_end": False,
            "canceled_at": period,
            "current_period_start": period - 86400,
            "current_period_end": period + 86400,
            "items": {"data": [{"price": {"id": "price_pro"}}]},
        },
        event_id="evt_deleted",
        created=period,
    )
    assert post_webhook(client, deleted, sign(deleted)).status_code == 200
    # then the same, still valid access token reads no premium body any more
    result = gql(ARTICLE, {"slug": PRO}, token=access_token)
    assert result.data["article"]["locked"] is True
    assert result.data["article"]["body"] is None
    me = gql("{ me { subscription { status active } } }", token=access_token)
    assert me.data["me"]["subscription"] == {"status": "CANCELED", "active": False}


def test_disabled_subscriber_gets_no_body(gql, user, access_token, catalogue):
    make_subscription(user, catalogue["pro"])
    user.is_active = False
    user.save()
    result = gql(ARTICLE, {"slug": PRO}, token=access_token)
    assert result.error_codes == ["UNAUTHENTICATED"]
    assert body_of(PRO) not in result.response.content.decode()


# --- constant query count -----------------------------------------------------------------


@contextmanager
def sql_statements() -> Iterator[list[str]]:
    """Every statement sent on the default connection.

    Not CaptureQueriesContext (nor django_assert_num_queries, built on it): each request
    clears `connection.queries_log` (request_started → reset_queries), so a capture that
    opens with a non-empty log slices past the end and reports 0 queries.
    """
    seen: list[str] = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "subscriber"])
def test_page_of_50_runs_as_many_queries_as_a_page_of_5(
    gql, user, access_token, catalogue, signed_in, plain_path
):
    # given 60 articles of mixed tiers and, when signed in, an active subscription
    for n in range(57):
        make_article(f"bulk-{n}", tier=n % 3, days_ago=10 + n)
    token = None
    if signed_in:
        make_subscription(user, catalogue["basic"])
        token = access_token

    def statements(first: int) -> list[str]:
        with sql_statements() as seen:
            result = gql(ARTICLES, {"first": first}, token=token)
        assert result.errors == []
        assert len(result.data["articles"]["edges"]) == first
        return seen

    # Warm up: the first request of a process may rebuild process-wide caches.
    statements(5)
    # when
    small, large = statements(5), statements(50)
    # then the same statements, one page query whatever its size
    assert len(small) == len(large)
    tables = [sql.split(" FROM ", 1)[1].split()[0] for sql in large]
    expected = ['"content_article"', '"content_article"']  # the page, its total count
    if signed_in:
        # the viewer's access: the user and their subscriptions in one statement
        expected += ['"accounts_user"']
    assert tables == expected


@pytest.mark.parametrize("first", [-1, 101, 1000])
def test_page_size_out_of_range_is_a_bad_request(gql, catalogue, first):
    result = gql(ARTICLES, {"first": first})
    assert result.error_codes == ["BAD_REQUEST"]
    assert "SECRET-BODY" not in result.response.content.decode()


def test_article_ids_are_relay_global_ids_of_the_primary_key(gql, catalogue):
    import base64

    from content.models import Article

    result = gql(ARTICLE, {"slug": PREMIUM})
    decoded = base64.b64decode(result.data["article"]["id"]).decode()
    assert decoded == f"Article:{Article.objects.get(slug=PREMIUM).pk}"
