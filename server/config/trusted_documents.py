"""Reading GRAPHQL_TRUSTED_DOCUMENTS at start-up, so that a bad file stops the server
instead of refusing every request.

The setting names one manifest or several (one per client: web, iOS, Android), as
comma-separated paths or a JSON list of paths; they are merged into one map
`{sha256 hex: document}`. Each manifest is one of the formats client tool chains write:

- graphql-codegen's persisted documents (`persisted-documents.json`): `{hash: document}`,
  the hash as `sha256:<hex>` or as bare hex;
- Apollo's persisted query manifest (`@apollo/generate-persisted-query-manifest`, Apollo
  iOS's and Apollo Kotlin's operation manifests): `{"format":
  "apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "body", …}]}`.

Every hash must be the sha256 of its document's UTF-8 text: that is what a client sends
and what the server recomputes for a full-text request, so an entry whose hash is anything
else (a custom id, a hash of another text) could never run, and stops the start instead.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_HEX = re.compile(r"^[0-9a-f]{64}$")
APOLLO_MANIFEST_FORMAT = "apollo-persisted-query-manifest"


def sha256_of(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def document_hash(value: object) -> str | None:
    """The lower-case hex of a SHA-256 document identifier, written `sha256:<hex>` (the
    GraphQL-over-HTTP persisted documents appendix; graphql-codegen) or as bare hex (Apollo's
    automatic persisted queries); None for anything else. Both name the same document."""
    if not isinstance(value, str):
        return None
    lowered = value.strip().lower()
    digest = lowered.removeprefix("sha256:")
    return digest if _HEX.match(digest) else None


def manifest_paths(setting: str) -> list[str]:
    """The manifests GRAPHQL_TRUSTED_DOCUMENTS names: a JSON list of paths, or paths
    separated by commas (one path alone being the original form)."""
    text = setting.strip()
    if text.startswith("["):
        try:
            paths = json.loads(text)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"GRAPHQL_TRUSTED_DOCUMENTS: not a JSON list of paths: {exc}"
            ) from exc
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise ImproperlyConfigured(
                "GRAPHQL_TRUSTED_DOCUMENTS: a JSON list must hold paths (strings)."
            )
    else:
        paths = text.split(",")
    paths = [path.strip() for path in paths if path.strip()]
    if not paths:
        raise ImproperlyConfigured("GRAPHQL_TRUSTED_DOCUMENTS names no manifest.")
    return paths


def _entries(path: str, data: Any) -> list[tuple[str, object]]:
    """The manifest's (identifier, document) pairs, in either format."""
    if isinstance(data, dict) and data.get("format") == APOLLO_MANIFEST_FORMAT:
        if data.get("version") != 1:
            raise ImproperlyConfigured(
                f"GRAPHQL_TRUSTED_DOCUMENTS: {path}: only version 1 of "
                f"{APOLLO_MANIFEST_FORMAT} is read (found {data.get('version')!r})."
            )
        operations = data.get("operations")
        if not isinstance(operations, list) or not all(isinstance(o, dict) for o in operations):
            raise ImproperlyConfigured(
                f"GRAPHQL_TRUSTED_DOCUMENTS: {path}: `operations` must be a list of objects."
            )
        return [(str(o.get("id")), o.get("body")) for o in operations]
    if isinstance(data, dict):
        return [(str(key), document) for key, document in data.items()]
    raise ImproperlyConfigured(
        f"GRAPHQL_TRUSTED_DOCUMENTS: {path} must hold a JSON object: {{hash: document}} "
        f"(graphql-codegen) or an {APOLLO_MANIFEST_FORMAT}."
    )


def _read_manifest(path: str) -> dict[str, str]:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"GRAPHQL_TRUSTED_DOCUMENTS: cannot read {path}: {exc}") from exc
    documents: dict[str, str] = {}
    for key, document in _entries(path, data):
        digest = document_hash(key)
        if not isinstance(document, str) or digest is None or sha256_of(document) != digest:
            raise ImproperlyConfigured(
                f"GRAPHQL_TRUSTED_DOCUMENTS: {path}: {key} is not the sha256 of its document "
                "(regenerate the manifest with SHA-256 ids of the documents' exact text)."
            )
        documents[digest] = document
    if not documents:
        raise ImproperlyConfigured(f"GRAPHQL_TRUSTED_DOCUMENTS: {path} lists no document.")
    return documents


def load_trusted_documents(setting: str) -> dict[str, str]:
    """Every manifest GRAPHQL_TRUSTED_DOCUMENTS names, merged into `{sha256 hex: document}`.

    The same document in two manifests (web and iOS share a query) is one entry. Two
    different texts under one hash cannot get this far: at most one of them hashes to it,
    and the other stops the start above, naming its manifest."""
    merged: dict[str, str] = {}
    for path in manifest_paths(setting):
        merged.update(_read_manifest(path))
    return merged
