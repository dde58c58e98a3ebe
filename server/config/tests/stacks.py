"""The plain and the fast stack side by side in one process, whatever this process's
FAST_PATH_ENABLED says: the middleware, URLconf (view and schema), verifier and rotation
that config would wire for each value of the switch. Used by the tests that compare the two
(config/tests/test_fast_path.py) and by fastpath's own tests, which run the fast pieces in
both of bin/test's passes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.test import Client, override_settings
from django.urls import path

from config.schema import build_schema
from config.views import FastGraphQLView, GatehouseGraphQLView, bad_request
from tokens.verifier import get_access_token_verifier

PLAIN_MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("fastpath")]
FAST_MIDDLEWARE = [
    *PLAIN_MIDDLEWARE[:3],
    "fastpath.transport.GraphQLFastLane",
    *PLAIN_MIDDLEWARE[3:],
]
assert PLAIN_MIDDLEWARE[2] == "corsheaders.middleware.CorsMiddleware"  # the lane goes after


def _urlconf(view_class: type[GatehouseGraphQLView], fast: bool) -> type:
    """A URLconf object (a class: Django keys its resolvers on the URLconf, so hashable)."""
    view = view_class.as_view(schema=build_schema(fast=fast), allow_queries_via_get=True)
    patterns = [path("graphql/", view), path("graphql", view)]
    return type(
        f"{view_class.__name__}URLs", (), {"urlpatterns": patterns, "handler400": bad_request}
    )


STACKS = {
    "plain": (
        PLAIN_MIDDLEWARE,
        _urlconf(GatehouseGraphQLView, fast=False),
        "tokens.revocation.verify_access_token",
        None,
        None,
        None,
    ),
    "fast": (
        FAST_MIDDLEWARE,
        _urlconf(FastGraphQLView, fast=True),
        "fastpath.revocation.verify_access_token",
        "fastpath.rotation.rotate_if_current",
        "fastpath.signin.insert_session",
        "fastpath.signin.user_by_email",
    ),
}


@contextmanager
def stack(name: str) -> Iterator[Client]:
    """A test client whose requests go through the plain or the fast stack, whatever this
    process's switch says."""
    middleware, urlconf, verifier, rotation, session_insert, sign_in_lookup = STACKS[name]
    get_access_token_verifier.cache_clear()
    try:
        with override_settings(
            MIDDLEWARE=middleware,
            ROOT_URLCONF=urlconf,
            ACCESS_TOKEN_VERIFIER=verifier,
            REFRESH_ROTATION_SHORTCUT=rotation,
            SESSION_INSERT_SHORTCUT=session_insert,
            SIGN_IN_LOOKUP_SHORTCUT=sign_in_lookup,
        ):
            yield Client()  # a new client loads the middleware from the settings
    finally:
        get_access_token_verifier.cache_clear()
