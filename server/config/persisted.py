"""Persisted queries: Apollo's automatic persisted queries (APQ) and trusted documents.

APQ (https://www.apollographql.com/docs/apollo-server/performance/apq): the client sends
`extensions.persistedQuery = {version: 1, sha256Hash}` without the query text; the hash is
the hex of the text's SHA-256, bare (Apollo) or as `sha256:<hex>` (graphql-codegen's
persisted documents, the GraphQL-over-HTTP document identifier), both naming one document.
A hash the server has not seen answers `PersistedQueryNotFound` (`extensions.code`
PERSISTED_QUERY_NOT_FOUND); the query together with its hash runs and is remembered in the
cache (Redis) for GRAPHQL_APQ_TTL; a text that does not hash to the given sha256 is
BAD_REQUEST. Over GET too (queries only: a mutation over GET stays refused by the view).

PersistedQueryNotFound is HTTP 200 with `data: null`, whatever the client accepts: it is a
step of the protocol, not a failure, and Apollo Server answers it so; Apollo iOS checks the
status before its persisted-query interceptor sees the code, so a 4xx would end the
exchange there instead of resending the text. The other refusals follow api/responses.py:
a document outside the trusted list is 403 for a client accepting
`application/graphql-response+json`, 200 for an `application/json` one.

Redis must not evict (it holds revocations), so what APQ keeps is bounded three ways: a
document above GRAPHQL_APQ_MAX_DOCUMENT_BYTES is not kept; each client network may register
so many bytes per window (RATE_LIMITS `apq_register`, per IP as every per-IP limit: an IPv6
client by its /64); and all kept documents together stay under GRAPHQL_APQ_MAX_STORE_BYTES.
A document refused by any of them still runs (its text came with it): only its hash is not
remembered, and the client keeps sending the text. A full store counts as a refusal of the
`apq_store` scope in the rate-limit metrics.

Trusted documents (GRAPHQL_TRUSTED_DOCUMENTS: the manifests of config/trusted_documents.py,
merged at start): only those documents run, by hash or as a full query whose hash is in the
map; anything else is FORBIDDEN and nothing is remembered.

`apply` is the one hook the view calls; it rewrites the request so that the rest of the
view sees an ordinary request carrying the query text.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from graphql import GraphQLError

from api.responses import error_response
from config.trusted_documents import document_hash, sha256_of
from core import ratelimit
from core.cache import cache_required, raw_redis
from core.errors import ServiceUnavailableError, take_retry_after
from core.events import rate_limit_refused
from core.net import client_ip

_KEY = "apq:v1:"
# What a kept document costs Redis beyond its text (its key, the pickled value, Redis's
# own bookkeeping), counted with it so that a flood of tiny documents is not free.
OVERHEAD_BYTES = 128
# The store's bytes, counted per time bucket (a 24th of GRAPHQL_APQ_TTL): documents expire
# one by one, so each bucket's counter lives until the last document counted in it has
# expired, and the live counters together bound what the kept documents take.
_STORE = "apq:v1:bytes:"
_STORE_BUCKETS = 24
# Sums the live buckets and, when `cost` fits under the bound, adds it to the newest one
# (the last key), all at once: racers cannot together go over the bound.
_RESERVE = """
local total = 0
for i = 1, #KEYS do total = total + tonumber(redis.call('GET', KEYS[i]) or '0') end
local cost = tonumber(ARGV[1])
if total + cost > tonumber(ARGV[2]) then return 0 end
redis.call('INCRBY', KEYS[#KEYS], cost)
redis.call('EXPIRE', KEYS[#KEYS], tonumber(ARGV[3]))
return 1
"""


_UNTRUSTED = "Only trusted documents run here."


def _untrusted(request: HttpRequest) -> JsonResponse:
    return error_response(403, _UNTRUSTED, "FORBIDDEN", request=request, legacy_status=200)


def _malformed(request: HttpRequest, message: str) -> JsonResponse:
    """Parameters that do not make a request: 422 or, for an `application/json` client, 400."""
    return error_response(422, message, request=request, legacy_status=400)


def _payload(request: HttpRequest, json_body: dict[str, Any] | None) -> dict[str, Any] | None:
    """The request's GraphQL parameters, or None when the view will refuse it anyway.

    A POST's body arrives parsed by the view (`json_body`, None when it was not JSON)."""
    if request.method == "GET":
        params: dict[str, Any] = request.GET.dict()
        raw = params.get("extensions")
        if isinstance(raw, str) and raw:
            try:
                params["extensions"] = json.loads(raw)
            except ValueError:
                params["extensions"] = raw  # refused below as not an object
        return params
    return json_body if request.method == "POST" else None


def _with_query(request: HttpRequest, data: dict[str, Any], query: str) -> None:
    if request.method == "GET":
        params = request.GET.copy()
        params["query"] = query
        params._mutable = False
        request.GET = params  # type: ignore[assignment]
    else:
        # The view runs the parsed body it handed in; Strawberry's generic path (taken for
        # anything unusual) reads `request.body`, which returns `_body` once read.
        data["query"] = query
        request._body = json.dumps(data).encode()


def document_cost(query: str) -> int:
    """The bytes a kept document is counted for: its UTF-8 text and OVERHEAD_BYTES."""
    return len(query.encode()) + OVERHEAD_BYTES


def _store_reserve(cost: int) -> bool:
    """Count `cost` bytes into the store's bound; False (nothing counted) when they do not
    fit under GRAPHQL_APQ_MAX_STORE_BYTES."""
    ttl = max(1, int(settings.GRAPHQL_APQ_TTL.total_seconds()))
    bucket = max(1, ttl // _STORE_BUCKETS)
    now = int(time.time())
    current = now // bucket
    # Every bucket that may still hold a live document (one kept at `now - ttl` or later).
    keys = [f"{_STORE}{number}" for number in range((now - ttl) // bucket, current + 1)]
    expire = (current + 1) * bucket + ttl - now
    most = settings.GRAPHQL_APQ_MAX_STORE_BYTES
    client = raw_redis()[0]
    if client is None:  # the in-process cache of bin/dev: one process, no racers to speak of
        if sum(int(v) for v in cache.get_many(keys).values()) + cost > most:
            return False
        if not cache.add(keys[-1], cost, timeout=expire):
            try:
                cache.incr(keys[-1], cost)
                cache.touch(keys[-1], expire)
            except ValueError:  # expired between add and incr
                cache.add(keys[-1], cost, timeout=expire)
        return True
    full_keys = [cache.make_key(key) for key in keys]
    return bool(client.eval(_RESERVE, len(full_keys), *full_keys, cost, most, expire))


def _remember(request: HttpRequest, sha256: str, query: str) -> None:
    """Keep `query` under its hash, within the bounds above; a query that is not kept still
    runs."""
    from config.schema import schema

    cost = document_cost(query)
    if cost - OVERHEAD_BYTES > settings.GRAPHQL_APQ_MAX_DOCUMENT_BYTES:
        return
    try:
        # Only documents that parse: nothing else could ever be run by its hash.
        schema.parse_document(query)
    except GraphQLError:
        return
    ip = client_ip(request) or "unknown"
    timeout = int(settings.GRAPHQL_APQ_TTL.total_seconds())
    try:
        if not ratelimit.allowed_amount("apq_register", ip, cost):
            take_retry_after()  # nothing to tell the client: the query still runs
            return
        with cache_required():
            if not _store_reserve(cost):
                rate_limit_refused.send(None, scope="apq_store")
                return
            cache.set(_KEY + sha256, query, timeout=timeout)
    except ServiceUnavailableError:
        # Redis down: the request carries its text, so it runs; only the hash is forgotten.
        return


def apply(request: HttpRequest, json_body: dict[str, Any] | None) -> JsonResponse | None:
    """Resolve a persisted query into the request, or refuse it; None lets it through."""
    trusted: dict[str, str] | None = settings.GRAPHQL_TRUSTED_DOCUMENTS
    data = _payload(request, json_body)
    if data is None:
        # Not GraphQL over GET or a JSON POST (the view has refused any other POST).
        return None
    query = data.get("query")
    extensions = data.get("extensions")
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if extensions is not None and not isinstance(extensions, dict):
        return _malformed(request, "`extensions` must be a JSON object.")
    if query is not None and not isinstance(query, str):
        return None  # the view words this refusal
    if persisted is None:
        if trusted is not None and query and sha256_of(query) not in trusted:
            return _untrusted(request)
        return None
    sha256 = document_hash(persisted.get("sha256Hash")) if isinstance(persisted, dict) else None
    if not isinstance(persisted, dict) or persisted.get("version") != 1 or sha256 is None:
        return _malformed(
            request,
            "`extensions.persistedQuery` must be {version: 1, sha256Hash: <64 hex digits>} "
            "(the hex may carry a `sha256:` prefix).",
        )
    if query:
        if sha256_of(query) != sha256:
            return _malformed(request, "The query does not match its sha256Hash.")
        if trusted is not None:
            if sha256 not in trusted:
                return _untrusted(request)
            return None
        _remember(request, sha256, query)
        return None
    if trusted is not None:
        known = trusted.get(sha256)
        if known is None:
            return _untrusted(request)
    else:
        with cache_required():  # the view answers 503, not an HTML 500
            known = cache.get(_KEY + sha256)
        if not isinstance(known, str):
            return error_response(
                200, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", request=request
            )
    _with_query(request, data, known)
    return None
