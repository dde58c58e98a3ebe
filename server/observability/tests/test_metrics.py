"""13.3: /metrics behind a bearer token, and the counts of a scripted run."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.test import override_settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from api.testing import GraphQLClient
from config.trusted_documents import sha256_of
from observability.metrics import known_operation_names, operation_label
from observability.tests.scrape import Scrape
from social.tests.conftest import provider  # noqa: F401  (the local Google stand-in)
from social.tests.provider import LocalOpenIDProvider
from tokens.tests.helpers import data, login, refresh

TOKEN = "metrics-token-0123456789"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
GOOGLE_LOGIN = """
mutation G($input: GoogleLoginInput!) {
  googleLogin(input: $input, transport: BODY) { accessToken errors { code } }
}
"""
REGISTER = """
mutation Register($email: String!, $password: String!) {
  register(input: {email: $email, password: $password}) { ok errors { code } }
}
"""


def scrape(client) -> Scrape:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return Scrape(response.content.decode())


@pytest.mark.django_db
def test_metrics_do_not_exist_without_a_token(client):
    with override_settings(METRICS_TOKEN=""):
        response = client.get("/metrics", headers={"Authorization": "Bearer anything"})
    assert response.status_code == 404
    assert b"gatehouse_" not in response.content


@pytest.mark.django_db
@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, 401),
        ("Basic " + TOKEN, 401),
        ("Bearer ", 401),
        ("Bearer wrong-token-0123456789", 403),
        ("Bearer " + TOKEN[:-1], 403),
        ("Bearer " + TOKEN + "x", 403),
    ],
)
def test_metrics_need_the_bearer_token(client, authorization, status):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == status
    assert b"gatehouse_" not in response.content
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
@override_settings(METRICS_TOKEN=TOKEN)
def test_a_scripted_run_shows_in_the_counts(client, gql: GraphQLClient, user, password):
    before = scrape(client)

    # sign-in ok, sign-in failed
    tokens = data(login(gql, user.email, password))["login"]
    assert data(login(gql, user.email, "wrong-" + password))["login"]["errors"]
    # a refresh, then the spent token again outside the grace window: reuse
    rotated = data(refresh(gql, tokens["refreshToken"]))["refresh"]
    assert rotated["refreshToken"]
    with override_settings(REFRESH_REUSE_GRACE=timedelta(0)):
        reused = data(refresh(gql, tokens["refreshToken"]))["refresh"]
    assert [e["code"] for e in reused["errors"]] == ["TOKEN_REUSED"]
    # a rate-limited call: the third sign-in of one address in the window
    with override_settings(LOGIN_RATE_LIMIT_PER_EMAIL=2):
        results = [
            data(login(gql, "eve@example.com", "guess-" + str(n)))["login"] for n in range(3)
        ]
    assert [e["code"] for e in results[2]["errors"]] == ["RATE_LIMITED"]

    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    sign_ins = "gatehouse_sign_ins_total"
    assert delta(sign_ins, method="password", result="ok") == 1
    assert delta(sign_ins, method="password", result="invalid_credentials") == 3
    assert delta(sign_ins, method="password", result="rate_limited") == 1
    assert delta(sign_ins, method="google") == 0
    assert delta("gatehouse_refresh_token_reuse_total") == 1
    assert delta("gatehouse_rate_limit_refusals_total", scope="login:email") == 1
    assert delta("gatehouse_rate_limit_refusals_total") == 1
    # latency by operation name: 5 Login, 2 Refresh, each observed once
    latency = "gatehouse_graphql_request_duration_seconds_count"
    assert delta(latency, operation="Login") == 5
    assert delta(latency, operation="Refresh") == 2
    assert (
        delta("gatehouse_graphql_request_duration_seconds_bucket", operation="Login", le="+Inf")
        == 5
    )
    # outcomes by error code
    requests = "gatehouse_graphql_requests_total"
    assert delta(requests, operation="Login", outcome="ok") == 1
    assert delta(requests, operation="Login", outcome="error") == 4
    assert delta(requests, operation="Refresh", outcome="ok") == 1
    assert delta(requests, operation="Refresh", outcome="error") == 1
    errors = "gatehouse_graphql_errors_total"
    assert delta(errors, code="INVALID_CREDENTIALS") == 3
    assert delta(errors, code="TOKEN_REUSED") == 1
    assert delta(errors, code="RATE_LIMITED") == 1
    # the 7 GraphQL requests and the first scrape (counted once it had answered)
    assert delta("gatehouse_http_responses_total", status="200") == 8
    # Django's PostgreSQL pool, sampled after each request
    assert after.value("gatehouse_db_pool_connections", state="max") == 4
    assert after.value("gatehouse_db_pool_connections", state="open") >= 1


def operation_labels(metrics: Scrape) -> set[str]:
    return {
        labels["operation"]
        for name, labels, _ in metrics.samples
        if name == "gatehouse_graphql_request_duration_seconds_count"
    }


@pytest.mark.django_db
@override_settings(METRICS_TOKEN=TOKEN)
def test_client_chosen_operation_names_cannot_grow_the_metrics(client, gql: GraphQLClient):
    before = scrape(client)
    names = {f"Flood_{secrets.token_hex(6)}" for _ in range(300)}
    for name in names:
        assert gql(f"query {name} {{ __typename }}").errors == []
    gql("{ __typename }")
    gql("query Me { __typename }")  # named after a root field: its own label
    metrics = scrape(client)

    latency = "gatehouse_graphql_request_duration_seconds_count"
    # Labels this test added (earlier tests in this process may have run with trusted
    # documents whose names were known then).
    labels = operation_labels(metrics) - operation_labels(before)
    assert not labels & names
    assert labels <= known_operation_names() | {"other", "anonymous", "invalid"}
    assert (
        metrics.value(latency, operation="other") - before.value(latency, operation="other") == 300
    )
    assert metrics.value(latency, operation="anonymous") >= 1
    assert metrics.value(latency, operation="Me") - before.value(latency, operation="Me") == 1


def test_the_known_operation_names_are_the_schema_root_fields_and_trusted_documents(settings):
    known = known_operation_names()
    # root fields of Query and Mutation, as they are and as the clients name them
    for field in ("me", "articles", "login", "refresh", "logoutAll"):
        assert {field, field[0].upper() + field[1:]} <= known
    assert known.isdisjoint({"Flood", "other", "anonymous", "invalid", "Query", "User"})

    document = "query HomePage { articles(first: 3) { totalCount } } mutation Bye { logout { ok } }"
    settings.GRAPHQL_TRUSTED_DOCUMENTS = {sha256_of(document): document}
    assert {"HomePage", "Bye"} <= known_operation_names()
    assert operation_label("HomePage") == "HomePage"
    settings.GRAPHQL_TRUSTED_DOCUMENTS = None
    assert operation_label("HomePage") == "other"
    assert operation_label("Login") == "Login"
    assert operation_label(None) == "anonymous"
    assert operation_label("no spaces allowed") == "invalid"


@pytest.mark.django_db(transaction=True)
@override_settings(METRICS_TOKEN=TOKEN, TASKS=DATABASE_TASKS)
def test_the_email_queue_depth_and_failures_come_from_the_task_table(
    client, gql: GraphQLClient, password
):
    for n in range(3):
        result = gql(REGISTER, {"email": f"new{n}@example.com", "password": password})
        assert data(result)["register"]["ok"]
    metrics = scrape(client)
    assert metrics.value("gatehouse_email_queue_depth") == 3
    assert metrics.value("gatehouse_email_failed") == 0

    # a task given up on stays FAILED in the table
    task = DBTaskResult.objects.filter(status=TaskResultStatus.READY).first()
    assert task is not None
    task.set_failed(ValueError("smtp refused"))
    metrics = scrape(client)
    assert metrics.value("gatehouse_email_queue_depth") == 2
    assert metrics.value("gatehouse_email_failed") == 1
    assert User.objects.count() == 3


@pytest.mark.django_db
@override_settings(METRICS_TOKEN=TOKEN)
def test_google_sign_ins_are_counted_by_result(
    client,
    gql: GraphQLClient,
    provider: LocalOpenIDProvider,  # noqa: F811
):
    before = scrape(client)
    token = provider.id_token(nonce="metrics-nonce-0001")
    ok = gql(GOOGLE_LOGIN, {"input": {"idToken": token, "nonce": "metrics-nonce-0001"}})
    assert data(ok)["googleLogin"]["errors"] == []
    other = provider.id_token(nonce="metrics-nonce-0002")
    bad = gql(GOOGLE_LOGIN, {"input": {"idToken": other, "nonce": "metrics-nonce-9999"}})
    assert [e["code"] for e in data(bad)["googleLogin"]["errors"]] == ["GOOGLE_AUTH_FAILED"]
    after = scrape(client)
    sign_ins = "gatehouse_sign_ins_total"
    for result, count in (("ok", 1), ("google_auth_failed", 1)):
        change = after.value(sign_ins, method="google", result=result) - before.value(
            sign_ins, method="google", result=result
        )
        assert change == count
