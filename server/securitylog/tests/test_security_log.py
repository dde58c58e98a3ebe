"""The security log, recorded by the real flows through /graphql/ and read with
`securityEvents`.

Events are written when the sender's transaction commits, so these tests run with real
transactions (`transactional_db`); emails go to the locmem outbox through the immediate
task backend (config/settings_test.py).
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import User
from accounts.tests import conftest as account_fixtures
from accounts.tests.conftest import text_part, token_in
from api.context import Caller
from api.testing import GraphQLClient
from core.events import SecurityEventKind as Kind
from core.events import security_event
from securitylog.devices import device_from_user_agent
from securitylog.models import SecurityEvent
from tokens.models import AuthMethod
from tokens.services import session_start

pytestmark = pytest.mark.usefixtures("transactional_db")
# The SMTP sink and the worker of the account email tests.
smtp_sink = account_fixtures.smtp_sink
run_worker = account_fixtures.run_worker

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
CHROME_LINUX_NEWER = CHROME_LINUX.replace("131.0.0.0", "132.0.6834.83")
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}, transport: BODY) {
    accessToken refreshToken errors { code }
  }
}
"""
REFRESH = """
mutation Refresh($token: String!) {
  refresh(refreshToken: $token, transport: BODY) { refreshToken errors { code } }
}
"""
LOGOUT = """
mutation Logout($token: String!) { logout(refreshToken: $token, transport: BODY) { ok } }
"""
LOGOUT_ALL = "mutation { logoutAll(keepCurrent: true) { ok } }"
REVOKE = "mutation Revoke($id: ID!) { revokeSession(id: $id) { ok errors { code } } }"
SESSIONS = "{ sessions { id current } }"
CHANGE = """
mutation Change($old: String!, $new: String!) {
  changePassword(oldPassword: $old, newPassword: $new) { ok errors { code } }
}
"""
REQUEST_RESET = """
mutation RequestReset($email: String!, $method: VerificationMethod) {
  requestPasswordReset(email: $email, method: $method) { ok }
}
"""
RESET = """
mutation Reset($token: String!) {
  resetPassword(token: $token, newPassword: "brand-new-passphrase-2") { ok errors { code } }
}
"""
REGISTER = """
mutation Register($email: String!, $method: VerificationMethod) {
  register(input: {email: $email, password: "a-long-passphrase-1", verificationMethod: $method}) {
    ok
  }
}
"""
VERIFY = "mutation Verify($token: String!) { verifyEmail(token: $token) { ok } }"
VERIFY_CODE = """
mutation VerifyCode($email: String!, $code: String!) {
  verifyEmailWithCode(email: $email, code: $code) { ok }
}
"""
EVENTS = """
query Events($first: Int, $after: String) {
  securityEvents(first: $first, after: $after) {
    edges { cursor node { id kind occurredAt method ipAddress userAgent device } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def kinds(user: User) -> list[str]:
    """The user's events, oldest first, by kind name."""
    return [
        Kind(value).name
        for value in SecurityEvent.objects.filter(user=user)
        .order_by("occurred_at", "id")
        .values_list("kind", flat=True)
    ]


def sign_in(gql, email: str, password: str, user_agent: str = CHROME_LINUX) -> dict:
    result = gql(LOGIN, {"email": email, "password": password}, headers={"User-Agent": user_agent})
    payload = result.data["login"]
    assert payload["errors"] == [], payload
    return payload


def notices() -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.subject == "New sign-in to your Gatehouse account"]


# --- what is recorded -----------------------------------------------------------------


def test_a_sign_in_is_recorded_with_its_method_client_and_device(gql, user, password):
    payload = sign_in(gql, "ada@example.com", password)

    (event,) = SecurityEvent.objects.all()
    assert event.user_id == user.pk
    assert event.kind == Kind.SIGN_IN
    assert event.method == "password"
    assert event.ip_address == "127.0.0.1"
    assert event.user_agent == CHROME_LINUX
    assert event.device == "Chrome on Linux"
    assert event.session_id is not None
    assert gql(SESSIONS, token=payload["accessToken"]).data["sessions"][0]["id"] == str(
        event.session_id
    )


def test_a_wrong_password_for_an_account_is_recorded_and_an_unknown_address_is_not(
    gql, user, password
):
    gql(LOGIN, {"email": "ada@example.com", "password": "not-the-password"})
    gql(LOGIN, {"email": "nobody@example.com", "password": "not-the-password"})

    assert kinds(user) == ["SIGN_IN_FAILED"]
    assert SecurityEvent.objects.count() == 1
    assert SecurityEvent.objects.get().method == "password"


def test_refresh_token_reuse_is_recorded(gql, user, password, monkeypatch):
    first = sign_in(gql, "ada@example.com", password)["refreshToken"]
    assert gql(REFRESH, {"token": first}).data["refresh"]["errors"] == []
    # outside the grace window, the spent token comes back
    with override_settings(REFRESH_REUSE_GRACE=timedelta(0)):
        reused = gql(REFRESH, {"token": first}, headers={"User-Agent": FIREFOX_WINDOWS})
    assert reused.data["refresh"]["errors"] == [{"code": "TOKEN_REUSED"}]

    assert kinds(user) == ["SIGN_IN", "REFRESH_TOKEN_REUSED"]
    reuse = SecurityEvent.objects.get(kind=Kind.REFRESH_TOKEN_REUSED)
    assert reuse.device == "Firefox on Windows"  # who presented it, not who signed in


def test_ending_sessions_is_recorded(gql, user, password):
    a = sign_in(gql, "ada@example.com", password)
    sign_in(gql, "ada@example.com", password)
    c = sign_in(gql, "ada@example.com", password)

    logout = gql(LOGOUT, {"token": a["refreshToken"]}, headers={"User-Agent": FIREFOX_WINDOWS})
    assert logout.data == {"logout": {"ok": True}}
    b_id = next(
        s["id"]
        for s in gql(SESSIONS, token=c["accessToken"]).data["sessions"]
        if not s["current"] and s["id"] != ""
    )
    assert gql(REVOKE, {"id": b_id}, token=c["accessToken"]).data["revokeSession"]["ok"]
    assert gql(LOGOUT_ALL, token=c["accessToken"]).data == {"logoutAll": {"ok": True}}

    assert kinds(user) == [
        "SIGN_IN",
        "SIGN_IN",
        "SIGN_IN",
        "SESSION_ENDED",
        "SESSION_ENDED",
        "ALL_SESSIONS_ENDED",
    ]
    ended = SecurityEvent.objects.filter(kind=Kind.SESSION_ENDED).order_by("occurred_at")
    assert [e.method for e in ended] == ["logout", "revoke"]
    assert str(ended[1].session_id) == b_id
    # each records who ended it, from where (the requester, not the ended session)
    assert ended[0].device == "Firefox on Windows"
    assert all(e.ip_address == "127.0.0.1" for e in ended)
    everywhere = SecurityEvent.objects.get(kind=Kind.ALL_SESSIONS_ENDED)
    assert everywhere.ip_address == "127.0.0.1"


def test_password_change_and_reset_are_recorded(gql, user, password):
    session = sign_in(gql, "ada@example.com", password)
    changed = gql(
        CHANGE, {"old": password, "new": "another-passphrase-1"}, token=session["accessToken"]
    )
    assert changed.data["changePassword"] == {"ok": True, "errors": []}
    gql(REQUEST_RESET, {"email": "ada@example.com"})
    token = token_in(mail.outbox[-1], "reset-password")
    assert gql(RESET, {"token": token}).data["resetPassword"]["ok"]

    assert kinds(user) == [
        "SIGN_IN",
        "ALL_SESSIONS_ENDED",  # every other session
        "PASSWORD_CHANGED",
        "ALL_SESSIONS_ENDED",
        "PASSWORD_RESET",
    ]
    reset = SecurityEvent.objects.get(kind=Kind.PASSWORD_RESET)
    assert (reset.method, reset.ip_address) == ("link", "127.0.0.1")


def test_email_verification_by_link_and_by_code_is_recorded(gql):
    gql(REGISTER, {"email": "link@example.com", "method": "LINK"})
    gql(VERIFY, {"token": token_in(mail.outbox[-1], "verify-email")})
    gql(REGISTER, {"email": "code@example.com", "method": "CODE"})
    code = re.findall(r"^\s+(\d{6})\s*$", text_part(mail.outbox[-1]), flags=re.MULTILINE)[0]
    gql(VERIFY_CODE, {"email": "code@example.com", "code": code})

    by_link = SecurityEvent.objects.get(user__email="link@example.com")
    by_code = SecurityEvent.objects.get(user__email="code@example.com")
    assert (by_link.kind, by_link.method) == (Kind.EMAIL_VERIFIED, "link")
    assert (by_code.kind, by_code.method) == (Kind.EMAIL_VERIFIED, "code")


def test_a_google_sign_in_is_recorded_with_its_method(user):
    session_start(
        user=user, auth_method=AuthMethod.GOOGLE, caller=Caller(ip_address=None, user_agent="")
    )
    event = SecurityEvent.objects.get()
    assert (event.kind, event.method, event.ip_address, event.device) == (
        Kind.SIGN_IN,
        "google",
        None,
        "",
    )


def test_a_sign_in_that_rolled_back_is_not_recorded(user):
    def start_then_fail() -> None:
        with transaction.atomic():
            session_start(
                user=user,
                auth_method=AuthMethod.PASSWORD,
                caller=Caller(ip_address=None, user_agent=""),
            )
            raise RuntimeError("the caller failed after starting the session")

    with pytest.raises(RuntimeError):
        start_then_fail()
    assert SecurityEvent.objects.count() == 0


# --- new devices ----------------------------------------------------------------------


def test_new_device_notice_is_sent_once_and_never_on_the_first_sign_in(gql, user, password):
    # the very first sign-in: no notice
    sign_in(gql, "ada@example.com", password, CHROME_LINUX)
    assert notices() == []
    # the same device again (a newer browser version is the same device)
    sign_in(gql, "ada@example.com", password, CHROME_LINUX_NEWER)
    assert notices() == []

    # a new device: one NEW_DEVICE and one notice
    sign_in(gql, "ada@example.com", password, FIREFOX_WINDOWS)
    (notice,) = notices()
    assert notice.to == ["ada@example.com"]
    body = text_part(notice)
    assert "Firefox on Windows" in body
    assert "127.0.0.1" in body
    assert "Firefox on Windows" in notice.alternatives[0][0]  # type: ignore[attr-defined]

    # that device again: nothing new
    sign_in(gql, "ada@example.com", password, FIREFOX_WINDOWS)
    assert len(notices()) == 1
    assert kinds(user) == ["SIGN_IN", "SIGN_IN", "SIGN_IN", "NEW_DEVICE", "SIGN_IN"]
    new_device = SecurityEvent.objects.get(kind=Kind.NEW_DEVICE)
    assert new_device.device == "Firefox on Windows"


def test_new_device_detection_on_the_locked_path_too(gql, user, password, monkeypatch):
    # As on SQLite (bin/dev), or when recording inside a transaction.
    monkeypatch.setattr("securitylog.services._sign_in_in_one_statement", lambda data: None)
    sign_in(gql, "ada@example.com", password, CHROME_LINUX)
    sign_in(gql, "ada@example.com", password, CHROME_LINUX)
    sign_in(gql, "ada@example.com", password, FIREFOX_WINDOWS)
    assert kinds(user) == ["SIGN_IN", "SIGN_IN", "SIGN_IN", "NEW_DEVICE"]
    assert len(notices()) == 1


@pytest.mark.parametrize("one_statement", [True, False], ids=["postgresql", "locked"])
def test_racing_sign_ins_from_one_new_device_send_one_notice(user, monkeypatch, one_statement):
    import threading

    from django.db import connection

    from securitylog.services import EventData, security_event_record

    if not one_statement:
        monkeypatch.setattr("securitylog.services._sign_in_in_one_statement", lambda data: None)

    def event(user_agent: str) -> EventData:
        return EventData.from_signal(
            kind=Kind.SIGN_IN, user_id=user.pk, ip_address="127.0.0.1", user_agent=user_agent
        )

    security_event_record(data=event(CHROME_LINUX))
    barrier = threading.Barrier(6)

    def racer() -> None:
        try:
            barrier.wait()
            security_event_record(data=event(SAFARI_IPHONE))
        finally:
            connection.close()

    threads = [threading.Thread(target=racer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert kinds(user).count("SIGN_IN") == 7
    assert kinds(user).count("NEW_DEVICE") == 1
    assert len(notices()) == 1


def test_a_failed_sign_in_from_a_device_does_not_make_it_known(gql, user, password):
    sign_in(gql, "ada@example.com", password, CHROME_LINUX)
    gql(
        LOGIN,
        {"email": "ada@example.com", "password": "wrong-password-1"},
        headers={"User-Agent": SAFARI_IPHONE},
    )
    sign_in(gql, "ada@example.com", password, SAFARI_IPHONE)
    assert len(notices()) == 1


def test_the_notice_goes_through_the_worker_queue_in_the_same_transaction(
    user, password, smtp_sink, run_worker
):
    client = GraphQLClient(Client())
    sign_in(client, "ada@example.com", password, CHROME_LINUX)
    sign_in(client, "ada@example.com", password, SAFARI_IPHONE)
    assert smtp_sink.inbox == []  # queued, not sent by the request

    run_worker()

    (message,) = smtp_sink.inbox
    assert message["Subject"] == "New sign-in to your Gatehouse account"
    assert "Safari on iOS" in text_part(message)


# --- reading it -----------------------------------------------------------------------


def test_security_events_pages_newest_first(gql, user, password):
    token = sign_in(gql, "ada@example.com", password)["accessToken"]
    for _ in range(4):
        gql(LOGIN, {"email": "ada@example.com", "password": "wrong-password-1"})
    # the events, newest first: 4 failures, then the sign-in
    first = gql(EVENTS, {"first": 2}, token=token).data["securityEvents"]
    second = gql(EVENTS, {"first": 2, "after": first["pageInfo"]["endCursor"]}, token=token)
    third = gql(
        EVENTS,
        {"first": 2, "after": second.data["securityEvents"]["pageInfo"]["endCursor"]},
        token=token,
    ).data["securityEvents"]

    pages = [first, second.data["securityEvents"], third]
    nodes = [edge["node"] for page in pages for edge in page["edges"]]
    assert [page["pageInfo"]["hasNextPage"] for page in pages] == [True, True, False]
    assert [node["kind"] for node in nodes] == ["SIGN_IN_FAILED"] * 4 + ["SIGN_IN"]
    assert [n["occurredAt"] for n in nodes] == sorted(
        (n["occurredAt"] for n in nodes), reverse=True
    )
    assert len({node["id"] for node in nodes}) == 5
    assert nodes[-1] == {
        "id": nodes[-1]["id"],
        "kind": "SIGN_IN",
        "occurredAt": nodes[-1]["occurredAt"],
        "method": "password",
        "ipAddress": "127.0.0.1",
        "userAgent": CHROME_LINUX,
        "device": "Chrome on Linux",
    }
    # the default page size
    assert len(gql(EVENTS, token=token).data["securityEvents"]["edges"]) == 5


def test_the_viewer_sees_only_their_own_events(gql, user, password):
    other = User.objects.create_user("eve@example.com", password, email_verified=True)
    sign_in(gql, "eve@example.com", password)
    gql(LOGIN, {"email": "eve@example.com", "password": "wrong-password-1"})
    token = sign_in(gql, "ada@example.com", password)["accessToken"]

    nodes = [e["node"] for e in gql(EVENTS, token=token).data["securityEvents"]["edges"]]

    assert [n["kind"] for n in nodes] == ["SIGN_IN"]
    assert SecurityEvent.objects.filter(user=other).count() == 2
    # and another user's cursor tells nothing: it only positions within one's own list
    others = SecurityEvent.objects.filter(user=other).values_list("id", flat=True)
    assert str(nodes[0]["id"]) not in {str(i) for i in others}


def test_security_events_needs_sign_in_and_sane_arguments(gql, user, password):
    assert gql(EVENTS).error_codes == ["UNAUTHENTICATED"]
    token = sign_in(gql, "ada@example.com", password)["accessToken"]
    assert gql(EVENTS, {"first": 101}, token=token).error_codes == ["BAD_REQUEST"]
    assert gql(EVENTS, {"first": -1}, token=token).error_codes == ["BAD_REQUEST"]
    assert gql(EVENTS, {"after": "bm9wZQ=="}, token=token).error_codes == ["BAD_REQUEST"]
    assert gql(EVENTS, {"first": 0}, token=token).data["securityEvents"]["edges"] == []
    assert len(gql(EVENTS, {"first": None}, token=token).data["securityEvents"]["edges"]) == 1


# --- retention ------------------------------------------------------------------------


@override_settings(SECURITY_LOG_RETENTION_DAYS=30)
def test_prune_deletes_only_events_older_than_the_retention_in_batches(user, capsys):
    now = timezone.now()
    for age in (1, 29, 31, 40, 400):
        SecurityEvent.objects.create(
            user=user, kind=Kind.SIGN_IN, occurred_at=now - timedelta(days=age)
        )

    call_command("prune_security_log", batch_size=2)

    assert "Deleted 3 security event(s) older than 30 days." in capsys.readouterr().out
    left = sorted((now - e.occurred_at).days for e in SecurityEvent.objects.all())
    assert left == [1, 29]


def test_prune_refuses_nonsense(user):
    with pytest.raises(SystemExit):
        call_command("prune_security_log", days=0)


# --- failures -------------------------------------------------------------------------


def test_a_failure_to_record_does_not_break_the_sign_in(gql, user, password, monkeypatch, caplog):
    def broken(**kwargs: object) -> None:
        raise RuntimeError("the log is broken")

    monkeypatch.setattr("securitylog.receivers.security_event_record", broken)
    caplog.set_level(logging.ERROR)

    payload = sign_in(gql, "ada@example.com", password)

    assert payload["accessToken"]
    assert SecurityEvent.objects.count() == 0
    assert any(
        "sign_in" in r.getMessage() and "not recorded" in r.getMessage() for r in caplog.records
    )
    assert password not in caplog.text


def test_a_database_error_while_recording_does_not_break_the_sign_in(
    gql, user, password, monkeypatch, caplog
):
    # PostgreSQL itself refuses the statement that records the sign-in.
    monkeypatch.setattr(
        "securitylog.services._sign_in_sql", lambda: "SELECT 1 / 0, %s" + ", %s" * 15
    )
    caplog.set_level(logging.ERROR)

    payload = sign_in(gql, "ada@example.com", password)

    assert payload["accessToken"]
    assert any("DataError" in r.getMessage() for r in caplog.records)
    # the connection goes on serving: the next request is answered and recorded otherwise
    monkeypatch.undo()
    assert gql(SESSIONS, token=payload["accessToken"]).data["sessions"]
    gql(LOGIN, {"email": "ada@example.com", "password": "wrong-password-1"})
    assert kinds(user) == ["SIGN_IN_FAILED"]


def test_a_malformed_event_is_logged_not_raised(user, caplog):
    caplog.set_level(logging.ERROR)
    security_event.send(sender=None, kind="no-such-kind", user_id=user.pk)
    security_event.send(sender=None, kind=Kind.SIGN_IN, user_id="not-a-uuid")
    assert SecurityEvent.objects.count() == 0
    assert len([r for r in caplog.records if "not recorded" in r.getMessage()]) == 2


def test_an_event_for_a_deleted_account_is_dropped(user):
    user_id = user.pk
    user.delete()
    security_event.send(sender=None, kind=Kind.PASSWORD_CHANGED, user_id=user_id)
    security_event.send(sender=None, kind=Kind.SIGN_IN, user_id=user_id)
    assert SecurityEvent.objects.count() == 0


# --- admin and devices ----------------------------------------------------------------


def test_the_admin_is_read_only_and_searchable_by_email(user, password):
    admin_user = User.objects.create_superuser("root@example.com", "root-passphrase-1")
    SecurityEvent.objects.create(user=user, kind=Kind.SIGN_IN, device="Chrome on Linux")
    model_admin = site._registry[SecurityEvent]
    request = type("R", (), {"user": admin_user})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)

    client = Client()
    client.force_login(admin_user)
    found = client.get("/admin/securitylog/securityevent/", {"q": "ada@example"})
    missing = client.get("/admin/securitylog/securityevent/", {"q": "nobody@example"})
    assert found.status_code == 200
    assert "Chrome on Linux" in found.content.decode()
    assert "Chrome on Linux" not in missing.content.decode()


@pytest.mark.parametrize(
    ("user_agent", "summary"),
    [
        (CHROME_LINUX, "Chrome on Linux"),
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (SAFARI_IPHONE, "Safari on iOS"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/18.1 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("okhttp/4.12.0", "Android app on Android"),
        ("Gatehouse/3 CFNetwork/1494.0.7 Darwin/23.4.0", "iOS app on iOS"),
        ("", "Unknown device"),
        ("x" * 100_000, "Unknown device"),
    ],
)
def test_device_summaries(user_agent, summary):
    assert device_from_user_agent(user_agent).summary == summary


def test_device_keys_ignore_versions_but_not_browser_or_system():
    key = device_from_user_agent(CHROME_LINUX).key
    assert device_from_user_agent(CHROME_LINUX_NEWER).key == key
    assert device_from_user_agent(FIREFOX_WINDOWS).key != key
    assert device_from_user_agent(CHROME_LINUX.replace("X11; Linux", "Windows NT 10.0")).key != key
