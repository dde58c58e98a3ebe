"""Sessions, authentication and messages run for the admin only; every other
middleware, one added later included, runs for the API too."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import override_settings

SEEN: list[str] = []


class Witness:
    """A middleware someone adds after ours."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        SEEN.append(request.path_info)
        response = self.get_response(request)
        response["X-Witness"] = "1"
        return response


def test_a_middleware_added_below_runs_for_the_api(client, db):
    SEEN.clear()
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, f"{__name__}.Witness"]):
        response = client.post(
            "/graphql/", '{"query":"{ __typename }"}', content_type="application/json"
        )
    assert response.status_code == 200
    assert response["X-Witness"] == "1"
    assert SEEN == ["/graphql/"]


def test_the_api_gets_no_session_user_or_messages(client, db):
    seen: dict[str, bool] = {}

    class Probe(Witness):
        def __call__(self, request: HttpRequest) -> HttpResponse:
            seen[request.path_info] = any(
                hasattr(request, name) for name in ("session", "user", "_messages")
            )
            return self.get_response(request)

    import config.tests.test_middleware as here

    here.Probe = Probe  # type: ignore[attr-defined]
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, f"{__name__}.Probe"]):
        client.post("/graphql/", '{"query":"{ __typename }"}', content_type="application/json")
        client.get("/" + settings.ADMIN_PATH + "login/")
    assert seen["/graphql/"] is False
    assert seen["/" + settings.ADMIN_PATH + "login/"] is True
