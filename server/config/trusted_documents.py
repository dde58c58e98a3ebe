"""Reading GRAPHQL_TRUSTED_DOCUMENTS at start-up, so that a bad file stops the server
instead of refusing every request."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def sha256_of(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def load_trusted_documents(path: str) -> dict[str, str]:
    """The JSON map `{sha256: document}` (graphql-codegen's persisted documents); every key
    must be the sha256 of its document, or the map would refuse what it lists."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"GRAPHQL_TRUSTED_DOCUMENTS: cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or not data:
        raise ImproperlyConfigured("GRAPHQL_TRUSTED_DOCUMENTS must hold a non-empty JSON object.")
    documents: dict[str, str] = {}
    for key, document in data.items():
        # graphql-codegen writes the keys as "sha256:<hex>"; the bare hex is accepted too.
        digest = str(key).lower().removeprefix("sha256:")
        if not isinstance(document, str) or sha256_of(document) != digest:
            raise ImproperlyConfigured(
                f"GRAPHQL_TRUSTED_DOCUMENTS: {key} is not the sha256 of its document."
            )
        documents[digest] = document
    return documents
