"""A shared response cache for the content queries (`articles`, `article`).

Running the GraphQL machinery for a page of 20 articles is ~15 ms of ORM object building
and per-field resolution, while the answer is the same for every viewer entitled to the
same things. The endpoint (config/views.py) keeps the encoded answer in Redis, keyed by

- the normalized document (printed from its AST, so whitespace and comments do not
  matter) and the operation name,
- the variables (canonical JSON),
- what the viewer is entitled to, computed live for every request from PostgreSQL
  (membership/entitlement.py, one narrow query): `a` anonymous, `t0` signed in without
  a granting subscription, `t<n>` entitled up to tier n. Never the user id: every viewer
  entitled to tier n shares the entries of tier n.

Each entry is tagged with the content version (content/versioning.py) read before the
answer was computed. Every write to articles, single or bulk, bumps the version at once
and again after the transaction commits, so an entry computed from data older than a
change is never served after it (the answer of a request that read the data before the
commit carries an older version). Entries expire on their own after CONTENT_CACHE_TTL,
and sooner when an article is scheduled to become visible before that (`published_at` in
the future).

Never served from the cache:
- documents with anything beside `articles`, `article` and `__typename` at the root
  (`me`, `sessions`, `node`…), fragments spread at the root, subscriptions or mutations;
- requests whose bearer token was refused, or whose user is deleted or disabled (the
  schema answers those);
- answers with errors, or with a status, header or cookie set by a resolver, answers
  over MAX_ENTRY_BYTES, and answers beyond this process's store budget (never stored);
- documents longer than MAX_DOCUMENT_CHARS.

When Redis cannot be reached the cache steps aside (the schema answers). A version
bump that fails marks this process's cache as untrusted until a bump succeeds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
    print_ast,
)

from api.errors import Unauthenticated
from content.selectors import next_publication_after
from content.versioning import VERSION_KEY, version_trusted
from core.cache import CACHE_DOWN, raw_redis
from membership.entitlement import access_for_context

logger = logging.getLogger(__name__)

# Root fields whose answers depend only on the content and the viewer's entitlement.
CACHEABLE_ROOT_FIELDS = frozenset({"articles", "article", "__typename"})

_ENTRY_PREFIX = "cc:e1:"

# Bounds on what clients can make this cache hold: every distinct document, variable set
# and tier is an entry, so without them anyone could fill Redis (which also holds the
# revocations) with large pages. Longer documents are not cached (content queries are
# short), nor larger answers, and each process stores at most _STORE_RATE bytes a second
# (bursts up to _STORE_BURST): Redis holds at most about workers x rate x TTL of entries.
MAX_DOCUMENT_CHARS = 8 * 1024
MAX_ENTRY_BYTES = 512 * 1024
_STORE_RATE = 1024 * 1024
_STORE_BURST = 4 * 1024 * 1024


class _StoreBudget:
    """A token bucket of bytes, per process (thread-safe for gthread workers)."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.available, self.at = burst, time.monotonic()
        self.lock = threading.Lock()

    def take(self, size: int) -> bool:
        with self.lock:
            now = time.monotonic()
            self.available = min(self.burst, self.available + (now - self.at) * self.rate)
            self.at = now
            if size > self.available:
                return False
            self.available -= size
            return True


_budget = _StoreBudget(_STORE_RATE, _STORE_BURST)


# --- Which documents ----------------------------------------------------------------------


def document_key(query: str, operation_name: str | None) -> str | None:
    """A digest of the normalized operation when it may be served from the cache, else None.

    Memoised per query text: the common case is a handful of documents sent again and
    again. Longer documents are refused before the memo, so that they never become its keys.
    """
    if len(query) > MAX_DOCUMENT_CHARS:
        return None
    return _document_key(query, operation_name)


@functools.lru_cache(maxsize=512)
def _document_key(query: str, operation_name: str | None) -> str | None:
    try:
        # Parsed here (this function is memoised): the schema's gate parses it too.
        document = parse(query, max_tokens=settings.GRAPHQL_MAX_TOKENS)
    except GraphQLError:
        return None
    operation = _operation(document, operation_name)
    if operation is None or operation.operation != OperationType.QUERY:
        return None
    roots = operation.selection_set.selections
    # A fragment spread or inline fragment at the root could select anything: not here.
    if not all(isinstance(s, FieldNode) and s.name.value in CACHEABLE_ROOT_FIELDS for s in roots):
        return None
    if all(s.name.value == "__typename" for s in roots):  # type: ignore[attr-defined]
        return None  # nothing worth a round trip to Redis
    normalized = print_ast(document) + "\x00" + (operation_name or "")
    return hashlib.sha256(normalized.encode()).hexdigest()


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    found = [o for o in operations if o.name is not None and o.name.value == name]
    return found[0] if len(found) == 1 else None


def entitlement_class(context: Any) -> str | None:
    """What the viewer may read, as a cache-key part; None when the plain path must answer
    (a refused bearer token, a deleted or disabled account)."""
    if context.auth_error is not None:
        return None
    if not context.viewer.is_authenticated:
        return "a"
    try:
        access = access_for_context(context)  # memoised on the context for a miss's run
    except Unauthenticated:
        return None
    return f"t{access.tier}"


# --- Redis --------------------------------------------------------------------------------

_redis = raw_redis


def _ttl() -> int:
    value = getattr(settings, "CONTENT_CACHE_TTL", timedelta(seconds=60))
    return max(0, int(value.total_seconds()))


# --- Lookup and store ---------------------------------------------------------------------


@dataclass
class Ticket:
    """One request's use of the cache: the stored answer (`hit`), or where to store one."""

    key: str
    version: bytes
    hit: bytes | None = None

    def store(self, body: bytes) -> None:
        """Keep a freshly computed answer under the version read beforehand. The caller
        passes only answers without errors, and without a status, header or cookie set by
        a resolver (a stored answer is served as bare JSON)."""
        if len(body) > MAX_ENTRY_BYTES or not _budget.take(len(body)):
            return
        client, prefix = _redis()
        now = timezone.now()
        ttl = _ttl()
        upcoming = next_publication_after(now)
        if upcoming is not None:  # the page changes by itself then
            ttl = min(ttl, max(0, int((upcoming - now).total_seconds())))
        if ttl <= 0 or client is None:
            return
        try:
            client.set(prefix + self.key, self.version + b"\n" + body, ex=ttl)
        except CACHE_DOWN:
            logger.warning("content cache: an answer could not be stored (Redis unavailable)")


def _entry_key(document: str, viewer: str, canonical: str) -> str:
    digest = hashlib.sha256(f"{document}\x00{viewer}\x00{canonical}".encode()).hexdigest()
    return _ENTRY_PREFIX + digest


def lookup(
    context: Any, query: str, variables: dict[str, Any] | None, operation_name: str | None
) -> Ticket | None:
    """The cache's part in a request: None when the schema must answer alone; else a
    Ticket with the stored answer, or to store the answer the schema computes."""
    if _ttl() <= 0:
        return None
    document = document_key(query, operation_name)
    if document is None:
        return None
    client, prefix = _redis()
    if client is None:  # not Redis (development's in-process cache): nothing to share
        return None
    if not version_trusted():  # a bump failed: answer from the database until one succeeds
        return None
    try:
        canonical = json.dumps(variables or {}, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    viewer = entitlement_class(context)
    if viewer is None:
        return None
    key = _entry_key(document, viewer, canonical)
    try:
        version, entry = client.mget([prefix + VERSION_KEY, prefix + key])
        if version is None:
            client.set(prefix + VERSION_KEY, time.time_ns(), nx=True)
            version = client.get(prefix + VERSION_KEY)
    except CACHE_DOWN:
        return None
    if version is None:
        return None
    ticket = Ticket(key=key, version=bytes(version))
    if entry is not None:
        tag, _, body = bytes(entry).partition(b"\n")
        if tag == ticket.version:
            ticket.hit = body
    return ticket
