"""The GraphQL endpoint: limits on documents and requests, persisted and trusted documents."""

from __future__ import annotations

from datetime import timedelta

from config.settings.environment import PRODUCTION, env
from config.trusted_documents import load_trusted_documents

GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", 10)
# Fields an operation may select, counting every repeat of a fragment (so that a small
# document whose fragments multiply cannot ask for an exponential amount of work).
GRAPHQL_MAX_FIELDS = env.int("GRAPHQL_MAX_FIELDS", 3000)
GRAPHQL_MAX_ALIASES = env.int("GRAPHQL_MAX_ALIASES", 15)
GRAPHQL_MAX_TOKENS = env.int("GRAPHQL_MAX_TOKENS", 2000)
GRAPHQL_MAX_REQUEST_BYTES = env.int("GRAPHQL_MAX_REQUEST_BYTES", 64 * 1024)
GRAPHQL_GRAPHIQL = not PRODUCTION
GRAPHQL_INTROSPECTION = not PRODUCTION
# Automatic persisted queries (config/persisted.py): how long a registered query is kept,
# the largest document that is kept (real ones are a few KB; a bigger one still runs, only
# its hash is not remembered) and the bytes all kept documents may take in Redis, which
# must not evict. What one client IP may register: RATE_LIMITS=apq_register=… (bytes).
GRAPHQL_APQ_TTL = env.duration("GRAPHQL_APQ_TTL", timedelta(days=1))
GRAPHQL_APQ_MAX_DOCUMENT_BYTES = env.int("GRAPHQL_APQ_MAX_DOCUMENT_BYTES", 16 * 1024)
GRAPHQL_APQ_MAX_STORE_BYTES = env.int("GRAPHQL_APQ_MAX_STORE_BYTES", 64 * 1024 * 1024)
for _name, _value in [
    ("GRAPHQL_APQ_MAX_DOCUMENT_BYTES", GRAPHQL_APQ_MAX_DOCUMENT_BYTES),
    ("GRAPHQL_APQ_MAX_STORE_BYTES", GRAPHQL_APQ_MAX_STORE_BYTES),
]:
    if _value < 1:
        env.invalid.append(f"{_name}: {_value} is not a positive number of bytes")
# When set, the path of a manifest of trusted documents, or several (comma-separated or a
# JSON list): only those documents run. Formats: config/trusted_documents.py.
_trusted_documents_path = env.str("GRAPHQL_TRUSTED_DOCUMENTS", "", required=False)
GRAPHQL_TRUSTED_DOCUMENTS: dict[str, str] | None = (
    load_trusted_documents(_trusted_documents_path) if _trusted_documents_path else None
)
STRAWBERRY_DJANGO = {"MUTATIONS_DEFAULT_HANDLE_ERRORS": False}

# Request bodies above this are refused before parsing (a query is never this big).
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
