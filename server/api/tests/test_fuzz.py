"""Schemathesis in GraphQL mode against the real WSGI application: every query and
mutation gets a bounded number of generated documents, anonymously and with a valid
bearer token. No answer may be a 500 or carry a masked internal error."""

from __future__ import annotations

import json
import time

import pytest
import schemathesis
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from api.testing import free_port

EXAMPLES_PER_OPERATION = 25


def _problem(response) -> str | None:
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    try:
        body = json.loads(response.content)
    except ValueError:
        return "not JSON"
    codes = [(error.get("extensions") or {}).get("code") for error in (body.get("errors") or [])]
    if "INTERNAL_SERVER_ERROR" in codes or None in codes:
        return f"errors {body['errors']}"
    return None


@pytest.mark.django_db(transaction=True)
def test_generated_documents_never_fail_internally(user):
    from config.wsgi import application
    from tokens.access import issue_access_token

    closed = f"http://127.0.0.1:{free_port()}"  # Google is unreachable: answer at once
    with override_settings(GOOGLE_TOKEN_URL=f"{closed}/token", GOOGLE_CERTS_URL=f"{closed}/certs"):
        schema = schemathesis.graphql.from_wsgi("/graphql/", application)
        operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
        assert len(operations) > 15
        problems: list[str] = []
        started = time.monotonic()
        for operation in operations:
            strategy = operation.as_strategy()

            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy, signed_in=st.booleans())
            def run(case, signed_in):
                headers = {}
                if signed_in:
                    # A fresh token each time: a generated logoutAll ends the earlier ones.
                    token, _ = issue_access_token(user_id=str(user.pk), session_id="fuzz")
                    headers["Authorization"] = f"Bearer {token}"
                response = case.call(headers=headers)
                problem = _problem(response)
                if problem:
                    problems.append(f"{case.operation.label}: {case.body!r} -> {problem}")

            run()
        print(f"fuzzed {len(operations)} operations in {time.monotonic() - started:.1f}s")
    assert problems == []
