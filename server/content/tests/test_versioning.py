"""Every write to articles through Django bumps the content version (content/versioning.py),
bulk writes included, so that a cached `articles`/`article` answer never outlives a change.

The answers are read through the real endpoint, PostgreSQL and Redis; whether an answer
came from the cache is read from the SQL the request ran (a stored answer runs no article
query).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection

from accounts.models import User
from content import versioning
from content.models import Article
from membership.tests.fixtures import make_article

PAGE = """
query Page($first: Int) {
  articles(first: $first) { edges { node { slug premium locked body } } }
}
"""
ONE = "query One($slug: String!) { article(slug: $slug) { slug locked body } }"
FREE, OTHER, THIRD = "free-one", "free-two", "free-three"


def body_of(slug: str) -> str:
    return f"SECRET-BODY-{slug}-full-text"


@pytest.fixture
def articles(db: None) -> None:
    make_article(FREE, tier=0, days_ago=3)
    make_article(OTHER, tier=0, days_ago=2)
    make_article(THIRD, tier=0, days_ago=1)


def version() -> bytes | None:
    client, prefix = versioning.raw_redis()
    value: bytes | None = client.get(prefix + versioning.VERSION_KEY)
    return value


@contextmanager
def article_queries() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "content_article" in sql:
            seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def fetch(gql: Any, query: str, variables: dict[str, Any]) -> tuple[dict[str, Any], str, bool]:
    """An anonymous viewer's (data, raw response text, whether it came from the cache)."""
    with article_queries() as seen:
        result = gql(query, variables)
    assert result.errors == [], result.errors
    return result.data, result.response.content.decode(), not seen


def cached_anonymously(gql: Any, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Ask twice, so that the answer is stored; the second one comes from the cache."""
    first, _, _ = fetch(gql, query, variables)
    again, _, cached = fetch(gql, query, variables)
    assert again == first
    assert cached, "the answer should be served from the content cache"
    return first


def slugs(data: dict[str, Any]) -> dict[str, str | None]:
    return {e["node"]["slug"]: e["node"]["body"] for e in data["articles"]["edges"]}


def test_an_update_making_an_article_premium_locks_it_for_anonymous_viewers_at_once(gql, articles):
    answer = cached_anonymously(gql, ONE, {"slug": FREE})
    assert answer["article"]["body"] == body_of(FREE)
    before = version()

    assert Article.objects.filter(slug=FREE).update(required_tier=1) == 1

    assert version() != before
    data, raw, cached = fetch(gql, ONE, {"slug": FREE})
    assert not cached
    assert data["article"] == {"slug": FREE, "locked": True, "body": None}
    assert body_of(FREE) not in raw


def test_a_queryset_delete_removes_the_articles_from_the_cached_page_at_once(gql, articles):
    assert set(slugs(cached_anonymously(gql, PAGE, {"first": 10}))) == {FREE, OTHER, THIRD}
    before = version()

    deleted, _ = Article.objects.filter(slug__in=[FREE, OTHER]).delete()

    assert deleted == 2
    assert version() != before
    assert set(slugs(fetch(gql, PAGE, {"first": 10})[0])) == {THIRD}


def test_bulk_update_and_bulk_create_show_at_once(gql, articles):
    cached_anonymously(gql, PAGE, {"first": 10})
    before = version()
    changed = list(Article.objects.filter(slug__in=[OTHER, THIRD]))
    for article in changed:
        article.required_tier = 2

    assert Article.objects.bulk_update(changed, ["required_tier"]) == 2

    after_update = version()
    assert after_update != before
    assert slugs(fetch(gql, PAGE, {"first": 10})[0]) == {
        FREE: body_of(FREE),
        OTHER: None,
        THIRD: None,
    }

    cached_anonymously(gql, PAGE, {"first": 10})
    template = Article.objects.get(slug=FREE)
    Article.objects.bulk_create(
        [
            Article(
                slug="bulk-new",
                title="New",
                body=body_of("bulk-new"),
                published_at=template.published_at,
            )
        ]
    )

    assert version() != after_update
    assert slugs(fetch(gql, PAGE, {"first": 10})[0])["bulk-new"] == body_of("bulk-new")


def test_a_bulk_write_bumps_again_once_its_transaction_commits(
    articles, django_capture_on_commit_callbacks
):
    # A request that read the version after the first bump but the rows before the commit
    # stored its answer under that version: the bump on commit makes it stale.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Article.objects.filter(slug=FREE).update(required_tier=1)
        during = version()
    assert len(callbacks) == 1
    assert version() != during


def test_a_bulk_write_that_writes_no_row_leaves_the_cache_alone(gql, articles):
    cached_anonymously(gql, ONE, {"slug": FREE})
    before = version()

    assert Article.objects.filter(slug="no-such-article").update(required_tier=1) == 0
    assert Article.objects.filter(slug="no-such-article").delete()[0] == 0
    assert Article.objects.bulk_update([], ["required_tier"]) == 0

    assert version() == before
    assert fetch(gql, ONE, {"slug": FREE})[2]


def test_the_admin_bulk_delete_action_removes_the_articles_from_the_cached_page(
    gql, client, articles
):
    admin = User.objects.create_superuser("admin@example.com", "an-admin-passphrase-1")
    client.force_login(admin)
    cached_anonymously(gql, PAGE, {"first": 10})
    before = version()
    chosen = Article.objects.filter(slug__in=[FREE, THIRD]).values_list("pk", flat=True)

    response = client.post(
        f"/{settings.ADMIN_PATH}content/article/",
        {"action": "delete_selected", "_selected_action": list(chosen), "post": "yes"},
    )

    assert response.status_code == 302
    assert version() != before
    assert set(slugs(fetch(gql, PAGE, {"first": 10})[0])) == {OTHER}


def test_an_article_saved_or_deleted_one_by_one_bumps(articles):
    article = Article.objects.get(slug=FREE)
    before = version()
    article.title = "Retitled"
    article.save()
    saved = version()
    assert saved != before
    article.delete()
    assert version() != saved


def test_a_failed_bump_is_not_trusted_until_one_goes_through(articles, monkeypatch):
    real = versioning.raw_redis()
    # A Redis that is not there: nothing listens on port 1.
    down = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setattr(versioning, "raw_redis", lambda: (down, real[1]))
    before = version_of(real)

    Article.objects.filter(slug=FREE).update(required_tier=1)  # the write is not refused

    assert not versioning.version_trusted()
    assert version_of(real) == before
    monkeypatch.setattr(versioning, "raw_redis", lambda: real)
    assert versioning.version_trusted()  # it bumps first, and that goes through
    assert version_of(real) != before


def version_of(backend: tuple[Any, str]) -> bytes | None:
    client, prefix = backend
    value: bytes | None = client.get(prefix + versioning.VERSION_KEY)
    return value
