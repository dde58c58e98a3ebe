"""Django's session, authentication and messages middleware, for the admin only.

Those three serve the Django admin: the API authenticates with bearer tokens (and checks
Origin itself where a cookie is used), and never reads a session, a user or a message.
(CSRF stays everywhere: `check --deploy` asks for it, and the GraphQL view is exempt.)
Run on every API request they cost a measurable share of a small one. Each class
here is Django's own, run for requests under ADMIN_PATH and passed by for every other
path. They are named one by one in MIDDLEWARE, so a middleware added to the list runs on
every request, the API's included.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest


def for_the_admin(request: HttpRequest) -> bool:
    return bool(settings.ADMIN_ENABLED) and request.path_info.startswith("/" + settings.ADMIN_PATH)


class _AdminOnly:
    """Run the Django middleware it is mixed into for the admin's requests alone."""

    get_response: Any

    def __call__(self, request: HttpRequest) -> Any:
        if for_the_admin(request):
            return super().__call__(request)  # type: ignore[misc]
        return self.get_response(request)


class AdminSessionMiddleware(_AdminOnly, SessionMiddleware):
    pass


class AdminAuthenticationMiddleware(_AdminOnly, AuthenticationMiddleware):
    pass


class AdminMessageMiddleware(_AdminOnly, MessageMiddleware):
    pass
