"""Ids clients can cache: User, Plan and MemberSubscription are Nodes that `node(id:)`
refetches (each only for whom may see it), and removals answer the removed id."""

from __future__ import annotations

import uuid

import pytest
from strawberry import relay

from accounts.models import User
from membership.tests.fixtures import make_plan, make_subscription
from passkeys import services as passkey_services
from passkeys.tests.authenticator import SoftAuthenticator
from passkeys.tests.conftest import authenticator, relying_party  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

LOGIN = """
mutation Login($password: String!) {
  login(input: {email: "ada@example.com", password: $password}, transport: BODY) {
    accessToken user { id } errors { code }
  }
}
"""
ME = "{ me { id email subscription { id plan { id slug } } } }"
NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on User { email }
    ... on Plan { slug }
    ... on MemberSubscription { plan { slug } }
  }
}
"""
PLANS = "{ plans { id slug } }"
SESSIONS = "{ sessions { id current } }"
REVOKE = """
mutation Revoke($id: ID!) { revokeSession(id: $id) { ok removedId errors { code } } }
"""
LOGOUT_ALL = "mutation { logoutAll(keepCurrent: true) { ok removedId errors { code } } }"
REMOVE_PASSKEY = """
mutation Remove($id: ID!) { removePasskey(id: $id) { ok removedId errors { code } } }
"""


def sign_in(gql, password: str) -> tuple[str, str]:
    payload = gql(LOGIN, {"password": password}).data["login"]
    assert payload["errors"] == []
    return payload["accessToken"], payload["user"]["id"]


def node(gql, node_id: str, token: str | None = None) -> dict | None:
    result = gql(NODE, {"id": node_id}, token=token)
    assert not result.errors, result.body
    return result.data["node"]


@pytest.fixture
def other() -> User:
    return User.objects.create_user("grace@example.com", "another-passphrase-9")


def test_the_users_id_is_still_its_uuid_and_refetches_the_viewer(gql, user, password):
    token, login_id = sign_in(gql, password)
    me = gql(ME, {}, token=token).data["me"]

    # today's contract: the dashed UUID, the same in login.user and me
    assert me["id"] == login_id == str(user.pk)
    assert node(gql, me["id"], token) == {
        "__typename": "User",
        "id": str(user.pk),
        "email": "ada@example.com",
    }
    # the Relay-style form of the same id works too, and answers the same `id`
    relay_id = str(relay.GlobalID("User", str(user.pk)))
    assert node(gql, relay_id, token)["id"] == str(user.pk)  # type: ignore[index]


def test_node_never_shows_another_user(gql, user, password, other):
    token, _ = sign_in(gql, password)
    assert node(gql, str(other.pk), token) is None
    assert node(gql, str(relay.GlobalID("User", str(other.pk))), token) is None
    assert node(gql, str(user.pk)) is None  # nobody signed in
    assert node(gql, str(user.pk).upper(), token) is not None  # any spelling of one's own


def test_plans_have_slug_based_ids_that_round_trip(gql):
    make_plan("basic")
    withdrawn = make_plan("legacy", tier=2, active=False)
    (plan,) = gql(PLANS).data["plans"]

    assert relay.GlobalID.from_id(plan["id"]) == relay.GlobalID("Plan", "basic")
    assert node(gql, plan["id"]) == {"__typename": "Plan", "id": plan["id"], "slug": "basic"}
    # a withdrawn plan is not offered to anyone…
    assert node(gql, str(relay.GlobalID("Plan", withdrawn.slug))) is None


def test_a_withdrawn_plan_still_refetches_for_its_subscriber(gql, user, password):
    legacy = make_plan("legacy", active=False)
    make_subscription(user, legacy)
    token, _ = sign_in(gql, password)
    plan_id = gql(ME, {}, token=token).data["me"]["subscription"]["plan"]["id"]

    assert node(gql, plan_id, token) == {"__typename": "Plan", "id": plan_id, "slug": "legacy"}


def test_a_subscription_has_an_id_only_its_member_refetches(gql, user, password, other):
    subscription = make_subscription(user, make_plan("basic"))
    theirs = make_subscription(other, make_plan("pro", tier=2))
    token, _ = sign_in(gql, password)
    shown = gql(ME, {}, token=token).data["me"]["subscription"]

    assert relay.GlobalID.from_id(shown["id"]) == relay.GlobalID(
        "MemberSubscription", str(subscription.pk)
    )
    assert node(gql, shown["id"], token) == {
        "__typename": "MemberSubscription",
        "id": shown["id"],
        "plan": {"slug": "basic"},
    }
    assert node(gql, shown["id"]) is None  # anonymous
    assert node(gql, str(relay.GlobalID("MemberSubscription", str(theirs.pk))), token) is None
    assert node(gql, str(relay.GlobalID("MemberSubscription", "not-a-number")), token) is None


def test_revoke_session_answers_the_removed_id(gql, user, password):
    token, _ = sign_in(gql, password)
    sign_in(gql, password)
    sessions = gql(SESSIONS, {}, token=token).data["sessions"]
    (elsewhere,) = [s for s in sessions if not s["current"]]

    done = gql(REVOKE, {"id": elsewhere["id"].upper()}, token=token).data["revokeSession"]

    assert done == {"ok": True, "removedId": elsewhere["id"], "errors": []}
    unknown = gql(REVOKE, {"id": str(uuid.uuid4())}, token=token).data["revokeSession"]
    assert unknown == {"ok": False, "removedId": None, "errors": [{"code": "NOT_FOUND"}]}
    # the other payloads of the type answer no id
    assert gql(LOGOUT_ALL, {}, token=token).data["logoutAll"]["removedId"] is None


def test_remove_passkey_answers_the_removed_id(
    gql,
    user,
    password,
    authenticator: SoftAuthenticator,  # noqa: F811
):
    options = passkey_services.passkey_registration_start(user=user)
    passkey = passkey_services.passkey_registration_finish(
        user=user, credential=authenticator.create(options)
    )
    # the account now has a passkey: sign in with it (a fresh session may remove one)
    token = passkey_services.passkey_login(
        credential=authenticator.get(passkey_services.passkey_login_start(caller=_caller())),
        transport="BODY",
        caller=_caller(),
    ).access_token

    done = gql(REMOVE_PASSKEY, {"id": str(passkey.pk)}, token=token).data["removePasskey"]

    assert done == {"ok": True, "removedId": str(passkey.pk), "errors": []}
    again = gql(REMOVE_PASSKEY, {"id": str(passkey.pk)}, token=token).data["removePasskey"]
    assert again == {"ok": False, "removedId": None, "errors": [{"code": "NOT_FOUND"}]}


def _caller():
    from api.context import Caller

    return Caller()


@pytest.mark.parametrize("raw", ["²", "١٢", "9" * 40, "-1", "1e3", ""])
def test_a_made_up_integer_id_answers_null_not_an_error(gql, raw):
    import base64

    for type_name in ("Article", "MemberSubscription"):
        node_id = base64.b64encode(f"{type_name}:{raw}".encode()).decode()
        result = gql("query($id: ID!) { node(id: $id) { id } }", {"id": node_id})
        assert result.errors is None or all(
            (e.get("extensions") or {}).get("code") == "BAD_REQUEST" for e in result.errors
        ), result.errors
        assert (result.data or {}).get("node") is None
