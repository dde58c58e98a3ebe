"""The content cache (content/response_cache.py) never serves a body to a viewer not entitled
to it at that moment, never serves an answer older than a change, and stays out of every
document that touches anything viewer-specific.

Every check goes through the real endpoint, real PostgreSQL and real Redis. Whether an
answer came from the cache is read from the SQL the request ran: a stored answer runs no
article query.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from content import response_cache, versioning
from content.models import Article
from membership.models import Plan, SubscriptionStatus
from membership.tests.fixtures import make_article, make_plan, make_subscription
from tokens.access import issue_access_token

PAGE = """
query Page($first: Int) {
  articles(first: $first) { edges { node { slug premium locked body } } }
}
"""
ONE = "query One($slug: String!) { article(slug: $slug) { slug locked body } }"
FREE, PREMIUM, PRO = "free-one", "premium-one", "pro-one"


def body_of(slug: str) -> str:
    return f"SECRET-BODY-{slug}-full-text"


@pytest.fixture
def plans(db: None) -> dict[str, Plan]:
    make_article(FREE, tier=0, days_ago=3)
    make_article(PREMIUM, tier=1, days_ago=2)
    make_article(PRO, tier=2, days_ago=1)
    return {"basic": make_plan("basic", tier=1), "pro": make_plan("pro", tier=2)}


def token_for(user: User) -> str:
    token, _ = issue_access_token(user_id=str(user.pk), session_id="test-session")
    return token


@contextmanager
def article_queries() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(execute, sql, params, many, context):
        if "content_article" in sql:
            seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def fetch(gql, query: str, variables: dict, token: str | None) -> tuple[dict, str, bool]:
    """(data, raw response text, whether it was answered from the cache)."""
    with article_queries() as seen:
        result = gql(query, variables, token=token)
    assert result.errors == [], result.errors
    return result.data, result.response.content.decode(), not seen


def bodies(data: dict) -> dict[str, str | None]:
    return {e["node"]["slug"]: e["node"]["body"] for e in data["articles"]["edges"]}


def test_an_entitled_answer_is_shared_by_the_tier_and_never_by_anyone_else(gql, user, plans):
    make_subscription(user, plans["pro"])
    other = User.objects.create_user("grace@example.com", "pw-unused-123", email_verified=True)
    make_subscription(other, plans["pro"])
    basic = User.objects.create_user("linus@example.com", "pw-unused-123", email_verified=True)
    make_subscription(basic, plans["basic"])
    nobody = User.objects.create_user("ken@example.com", "pw-unused-123", email_verified=True)
    # the entitled viewer's answer is computed, then stored
    data, _, cached = fetch(gql, PAGE, {"first": 10}, token_for(user))
    assert not cached
    assert bodies(data) == {slug: body_of(slug) for slug in (FREE, PREMIUM, PRO)}
    # another viewer of the same tier gets the same answer from the cache
    again, _, cached = fetch(gql, PAGE, {"first": 10}, token_for(other))
    assert cached and again == data
    # anonymous, signed in without a plan, and a lower tier never get the stored bodies
    for token, readable in (
        (None, {FREE}),
        (token_for(nobody), {FREE}),
        (token_for(basic), {FREE, PREMIUM}),
    ):
        data, raw, cached = fetch(gql, PAGE, {"first": 10}, token)
        assert not cached  # their first request: an entry of their own class
        assert {s for s, b in bodies(data).items() if b} == readable
        for slug in {PREMIUM, PRO} - readable:
            assert body_of(slug) not in raw
        # and their second one is served from their own entry, with the same gating
        data_again, raw_again, cached = fetch(gql, PAGE, {"first": 10}, token)
        assert cached and data_again == data and raw_again == raw


def test_other_variables_or_another_document_are_other_entries(gql, plans):
    assert not fetch(gql, PAGE, {"first": 10}, None)[2]
    assert fetch(gql, PAGE, {"first": 10}, None)[2]
    # whitespace and comments do not make another document
    spaced = "# the page\n" + PAGE.replace("{ edges", "{\n  edges")
    assert fetch(gql, spaced, {"first": 10}, None)[2]
    assert not fetch(gql, PAGE, {"first": 2}, None)[2]
    data, _, cached = fetch(gql, ONE, {"slug": FREE}, None)
    assert not cached and data["article"]["body"] == body_of(FREE)
    data, _, cached = fetch(gql, ONE, {"slug": PRO}, None)
    assert not cached and data["article"] == {"slug": PRO, "locked": True, "body": None}


def test_a_lapsed_period_locks_the_next_request_without_any_write(gql, user, plans):
    # given an entitled viewer whose answer is stored
    subscription = make_subscription(user, plans["pro"])
    token = token_for(user)
    fetch(gql, ONE, {"slug": PRO}, token)
    data, _, cached = fetch(gql, ONE, {"slug": PRO}, token)
    assert cached and data["article"]["body"] == body_of(PRO)
    # when the period ends by the clock alone: no save, no signal, no version bump
    type(subscription).objects.filter(pk=subscription.pk).update(
        current_period_end=timezone.now() - timedelta(seconds=1)
    )
    # then the same token's next request is answered for a viewer without a plan
    data, raw, _ = fetch(gql, ONE, {"slug": PRO}, token)
    assert data["article"] == {"slug": PRO, "locked": True, "body": None}
    assert body_of(PRO) not in raw


@pytest.mark.parametrize(
    "status", [SubscriptionStatus.CANCELED, SubscriptionStatus.UNPAID, SubscriptionStatus.PAUSED]
)
def test_a_cancelled_subscription_locks_the_next_request(gql, user, plans, status):
    subscription = make_subscription(user, plans["pro"])
    token = token_for(user)
    fetch(gql, PAGE, {"first": 10}, token)
    assert fetch(gql, PAGE, {"first": 10}, token)[2]
    subscription.status = status
    subscription.save()
    data, raw, _ = fetch(gql, PAGE, {"first": 10}, token)
    assert bodies(data) == {FREE: body_of(FREE), PREMIUM: None, PRO: None}
    assert body_of(PREMIUM) not in raw and body_of(PRO) not in raw


def test_a_past_due_subscription_keeps_access_for_the_grace_only(gql, user, plans, settings):
    settings.SUBSCRIPTION_PAST_DUE_GRACE = timedelta(days=3)
    subscription = make_subscription(
        user,
        plans["pro"],
        status=SubscriptionStatus.PAST_DUE,
        past_due_since=timezone.now() - timedelta(days=1),
    )
    token = token_for(user)
    assert fetch(gql, ONE, {"slug": PRO}, token)[0]["article"]["body"] == body_of(PRO)
    type(subscription).objects.filter(pk=subscription.pk).update(
        past_due_since=timezone.now() - timedelta(days=4)
    )
    assert fetch(gql, ONE, {"slug": PRO}, token)[0]["article"]["body"] is None


def test_an_edited_article_is_answered_anew(gql, user, plans):
    make_subscription(user, plans["pro"])
    token = token_for(user)
    fetch(gql, ONE, {"slug": PRO}, token)
    assert fetch(gql, ONE, {"slug": PRO}, token)[2]
    article = Article.objects.get(slug=PRO)
    article.body = "SECRET-BODY-rewritten"
    article.save()
    data, _, cached = fetch(gql, ONE, {"slug": PRO}, token)
    assert not cached and data["article"]["body"] == "SECRET-BODY-rewritten"


def test_a_free_article_made_premium_is_locked_for_anonymous_viewers_at_once(gql, plans):
    fetch(gql, ONE, {"slug": FREE}, None)
    assert fetch(gql, ONE, {"slug": FREE}, None)[0]["article"]["body"] == body_of(FREE)
    article = Article.objects.get(slug=FREE)
    article.required_tier = 2
    article.save()
    data, raw, _ = fetch(gql, ONE, {"slug": FREE}, None)
    assert data["article"] == {"slug": FREE, "locked": True, "body": None}
    assert body_of(FREE) not in raw


def test_a_deleted_article_disappears_at_once(gql, plans):
    fetch(gql, PAGE, {"first": 10}, None)
    Article.objects.filter(slug=FREE).get().delete()
    data, _, _ = fetch(gql, PAGE, {"first": 10}, None)
    assert FREE not in bodies(data)


def test_an_answer_computed_before_a_change_is_not_served_after_it(rf, plans):
    # the version is read before the data; a change in between makes that answer stale
    from api.context import Context

    context = Context(request=rf.post("/graphql/"), response=None)  # type: ignore[arg-type]
    ticket = response_cache.lookup(context, ONE, {"slug": FREE}, None)
    assert ticket is not None and ticket.hit is None
    versioning.bump_version()  # what a concurrent save does
    ticket.store(b'{"data":"old"}')
    again = response_cache.lookup(context, ONE, {"slug": FREE}, None)
    assert again is not None and again.hit is None


def test_a_scheduled_article_bounds_the_life_of_an_entry(gql, plans):
    make_article("soon", tier=0, days_ago=-10 / 86400)  # visible in ten seconds
    fetch(gql, PAGE, {"first": 10}, None)
    client, prefix = response_cache._redis()
    keys = list(client.scan_iter(f"{prefix}{response_cache._ENTRY_PREFIX}*"))
    assert len(keys) == 1
    assert 0 < client.ttl(keys[0]) <= 10


@pytest.mark.parametrize(
    "query",
    [
        "{ me { email } articles(first: 2) { edges { node { body } } } }",
        "query { ...Root } "
        "fragment Root on Query { articles(first: 2) { edges { node { body } } } }",
        '{ node(id: "QXJ0aWNsZTox") { id } articles(first: 2) { edges { node { slug } } } }',
        "{ __typename }",
    ],
    ids=["with-me", "root-fragment", "with-node", "typename-only"],
)
def test_documents_beside_the_content_fields_are_never_cached(gql, user, plans, query):
    make_subscription(user, plans["pro"])
    token = token_for(user)
    for _ in range(2):
        result = gql(query, token=token)
        assert result.errors == []
    client, prefix = response_cache._redis()
    assert list(client.scan_iter(f"{prefix}{response_cache._ENTRY_PREFIX}*")) == []


def test_mutations_are_never_cached(plans):
    assert response_cache.document_key("mutation { logout { ok } }", None) is None
    assert response_cache.document_key("subscription { articles { slug } }", None) is None
    assert response_cache.document_key("{ articles { ", None) is None  # a syntax error


def test_a_refused_token_or_a_disabled_account_is_answered_by_the_schema(gql, user, plans):
    make_subscription(user, plans["pro"])
    token = token_for(user)
    fetch(gql, ONE, {"slug": PRO}, token)
    assert gql(ONE, {"slug": PRO}, token="not-a-token").error_codes == ["UNAUTHENTICATED"]
    user.is_active = False
    user.save()
    result = gql(ONE, {"slug": PRO}, token=token)
    assert result.error_codes == ["UNAUTHENTICATED"]
    assert body_of(PRO) not in result.response.content.decode()


def test_redis_down_leaves_the_answer_to_the_schema(gql, plans, monkeypatch):
    import redis

    down = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setattr(response_cache, "_redis", lambda: (down, "x:"))
    data, _, cached = fetch(gql, ONE, {"slug": FREE}, None)
    assert not cached and data["article"]["body"] == body_of(FREE)


def test_a_failed_bump_stops_this_process_using_the_cache_until_one_succeeds(
    gql, plans, monkeypatch
):
    import redis

    fetch(gql, ONE, {"slug": FREE}, None)
    assert fetch(gql, ONE, {"slug": FREE}, None)[2]
    real = versioning.raw_redis()
    down = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setattr(versioning, "raw_redis", lambda: (down, real[1]))
    versioning.bump_version()  # a change while Redis is unreachable
    monkeypatch.setattr(versioning, "raw_redis", lambda: real)
    # the next request bumps first (it goes through now), so the old entry is not served
    assert not fetch(gql, ONE, {"slug": FREE}, None)[2]
    assert fetch(gql, ONE, {"slug": FREE}, None)[2]


def test_switched_off_nothing_is_stored(gql, plans, settings):
    settings.CONTENT_CACHE_TTL = timedelta(0)
    assert not fetch(gql, ONE, {"slug": FREE}, None)[2]


def test_clients_cannot_fill_redis(gql, plans, monkeypatch):
    # a long document is not cached at all
    padded = PAGE + "#" + "x" * response_cache.MAX_DOCUMENT_CHARS
    response_cache._document_key.cache_clear()
    assert response_cache.document_key(padded, None) is None
    assert response_cache._document_key.cache_info().currsize == 0  # nor remembered
    # answers beyond the process's store budget are answered but not kept
    monkeypatch.setattr(response_cache, "_budget", response_cache._StoreBudget(0, 10))
    fetch(gql, ONE, {"slug": FREE}, None)
    assert not fetch(gql, ONE, {"slug": FREE}, None)[2]
    # and an answer over the entry limit neither
    monkeypatch.setattr(response_cache, "_budget", response_cache._StoreBudget(0, 10**9))
    monkeypatch.setattr(response_cache, "MAX_ENTRY_BYTES", 10)
    fetch(gql, ONE, {"slug": FREE}, None)
    assert not fetch(gql, ONE, {"slug": FREE}, None)[2]


def test_the_store_budget_refills_at_its_rate():
    budget = response_cache._StoreBudget(rate=1000, burst=100)
    assert budget.take(100)
    assert not budget.take(50)
    budget.at -= 0.05  # 50 ms later: 50 bytes more
    assert budget.take(50)
    assert not budget.take(101)
