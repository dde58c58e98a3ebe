"""GET /.well-known/jwks.json: the public keys that verify our access tokens."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from tokens.keys import keyset


@require_GET
def jwks(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        json.dumps(keyset().jwks, separators=(",", ":")), content_type="application/json"
    )
    # Short enough that a newly published key reaches verifiers well before it signs.
    response["Cache-Control"] = "public, max-age=300, stale-while-revalidate=60"
    response["Access-Control-Allow-Origin"] = "*"
    return response
