"""The content version: one counter in Redis (`cc:ver`) that every cached content answer
is tagged with. Bumping it makes every stored `articles`/`article` answer stale at once.

`content_changed()` is the one way to say "what the content queries answer has changed".
It is called for every write to articles that goes through Django:

- `Article.save()` / `Article.delete()` (and what goes through them: `objects.create`,
  `get_or_create`, `update_or_create`, the admin's change and delete pages), through the
  post_save / post_delete receivers in content/signals.py;
- the bulk writes of `Article.objects` (ArticleQuerySet below: `update`, `delete`,
  `bulk_create`, `bulk_update`, and their async forms, which call these), which send no
  per-object signal or one per row; the admin's bulk actions (`delete_selected`) go
  through `QuerySet.delete`.

Writes that bypass the ORM's QuerySet methods (raw SQL, a migration's RunSQL, `_base_manager`
or a plain `models.Manager` built by hand) do not bump: whoever writes that way must call
`content_changed()` after the write, or the cached answers stay until CONTENT_CACHE_TTL.

Plans and subscriptions need no bump: no content answer holds a plan, and what the viewer
is entitled to is read live for every request (membership/entitlement.py) and is part of
the cache key, not of the cached answer.

Each change bumps now and, inside a transaction, again once it commits: a request that read
the version after the first bump but the data before the commit stored its answer under a
version the second bump makes stale. When Redis cannot be reached the bump fails, and
`version_trusted()` says so (until a bump goes through) so that the cache stops serving
answers that may be older than the change.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from core.cache import CACHE_DOWN, raw_redis

logger = logging.getLogger(__name__)

VERSION_KEY = "cc:ver"

_untrusted = threading.Event()  # set when a bump failed; cleared by the next good bump


class Batch:
    """One bulk write in progress. `unchanged()` says it wrote no row: no bump then."""

    def __init__(self) -> None:
        self.changed = True

    def unchanged(self) -> None:
        self.changed = False


# Inside a bulk write of ArticleQuerySet: per-row signals (a QuerySet.delete sends one per
# row) change nothing here, and the bulk write bumps once when it ends.
_batch: contextvars.ContextVar[Batch | None] = contextvars.ContextVar(
    "content_version_batch", default=None
)


def bump_version() -> None:
    """Make every stored answer stale now. Atomic; a missing version (Redis flushed, or the
    key evicted) starts again from the clock, above any version an old entry could carry.
    Without Redis (the in-process cache of development) there is nothing shared to bump."""
    client, prefix = raw_redis()
    if client is None:
        return
    try:
        pipe = client.pipeline(transaction=True)
        pipe.set(prefix + VERSION_KEY, time.time_ns(), nx=True)
        pipe.incr(prefix + VERSION_KEY)
        pipe.execute()
    except CACHE_DOWN:
        # Stored answers may now be stale: version_trusted() is False until a bump goes
        # through (entries also expire after CONTENT_CACHE_TTL).
        _untrusted.set()
        logger.warning("content version: it could not be bumped (Redis unavailable)")
        return
    _untrusted.clear()


def version_trusted() -> bool:
    """False while a change may not be reflected in the version (a bump failed and none
    succeeded since); tries the bump again first. A cache must not serve while False."""
    if _untrusted.is_set():
        bump_version()
    return not _untrusted.is_set()


def content_changed(*, using: str | None = None) -> None:
    """What the content queries answer has changed (or will, once the transaction commits):
    bump the version now and, inside a transaction on `using` (the default database when
    None), again after it commits. Never raises for Redis being down (see version_trusted).
    Inside `one_change()` it does nothing: that block bumps once when it ends."""
    if _batch.get() is not None:
        return
    bump_version()
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(bump_version, using=using)


@contextmanager
def one_change(*, using: str | None = None) -> Iterator[Batch]:
    """A bulk write: the rows it writes are one change, bumped once when the block ends
    (also when it raises: part of it may have been written), unless the block calls
    `unchanged()` on what this yields. Inside another one_change, the outer one bumps."""
    if _batch.get() is not None:
        yield Batch()
        return
    batch = Batch()
    token = _batch.set(batch)
    try:
        yield batch
    except BaseException:
        batch.changed = True
        raise
    finally:
        _batch.reset(token)
        if batch.changed:
            content_changed(using=using)
