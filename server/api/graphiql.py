"""The GraphiQL page's assets, served by the API itself (development only, like GraphiQL).

Pinned copies of graphiql, react and react-dom from the npm registry live in
api/static/graphiql/ (see LICENSES.txt there); the page (api/templates/graphql/graphiql.html)
loads nothing from another origin, so it works offline and behind a strict CSP. Served by
this view rather than by `staticfiles`, which only serves with DEBUG on under runserver.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponseBase, JsonResponse

ASSETS_DIR = Path(__file__).resolve().parent / "static" / "graphiql"
CONTENT_TYPES = {
    "graphiql.min.js": "text/javascript",
    "react.production.min.js": "text/javascript",
    "react-dom.production.min.js": "text/javascript",
    "graphiql-init.js": "text/javascript",
    "graphiql.min.css": "text/css",
    "graphiql-page.css": "text/css",
}


def graphiql_asset(request: HttpRequest, name: str) -> HttpResponseBase:
    content_type = CONTENT_TYPES.get(name)
    if not settings.GRAPHQL_GRAPHIQL or content_type is None:
        return JsonResponse({"error": "not found"}, status=404)
    response = FileResponse((ASSETS_DIR / name).open("rb"), content_type=content_type)
    # Pinned files: a reload may reuse them, but a new release must not keep an old copy
    # for long (the names carry no version).
    response["Cache-Control"] = "public, max-age=3600"
    return response
