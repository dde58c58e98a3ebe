"""The passkey services against a real software authenticator, real Redis and PostgreSQL:
registration, the authentication seam other sign-in flows use, and the attacks on both."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from django.test import override_settings

from accounts.models import User
from api.testing import free_port
from core.errors import DomainError, ServiceUnavailableError
from core.events import SecurityEventKind, security_event
from passkeys import challenges, services
from passkeys.errors import PasskeyErrorCode
from passkeys.models import Passkey, PasskeyUser
from passkeys.selectors import passkey_count, user_has_passkeys
from passkeys.tests.authenticator import SoftAuthenticator, b64url, unb64url

pytestmark = pytest.mark.django_db


def register(user: User, authenticator: SoftAuthenticator, name: str | None = None) -> Passkey:
    options = services.passkey_registration_start(user=user)
    return services.passkey_registration_finish(
        user=user, credential=authenticator.create(options), name=name
    )


def refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == PasskeyErrorCode.PASSKEY_INVALID, caught.value
    assert caught.value.field == "credential"
    return caught.value


@pytest.fixture
def other_user(db) -> User:
    return User.objects.create_user("grace@example.com", "another-password-77", email_verified=True)


@pytest.fixture
def events():
    seen: list[dict] = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    security_event.connect(receiver, weak=False)
    yield seen
    security_event.disconnect(receiver)


# --- registration ---------------------------------------------------------------------


def test_registration_options_are_discoverable_with_a_random_user_handle(user):
    options = json.loads(services.passkey_registration_start(user=user))

    assert options["rp"] == {"id": "localhost", "name": "Gatehouse"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["requireResidentKey"] is True
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["attestation"] == "none"
    assert options["excludeCredentials"] == []
    assert options["user"]["name"] == "ada@example.com"
    handle = unb64url(options["user"]["id"])
    # Random and stored, never the email or the primary key; the same on every start.
    assert len(handle) == 32
    assert bytes(PasskeyUser.objects.get(user=user).handle) == handle
    assert handle not in (user.email.encode(), user.pk.bytes, str(user.pk).encode())
    again = json.loads(services.passkey_registration_start(user=user))
    assert again["user"]["id"] == options["user"]["id"]
    assert again["challenge"] != options["challenge"]
    assert len(unb64url(options["challenge"])) == 32


def test_register_stores_the_passkey_and_announces_it(user, authenticator, events):
    passkey = register(user, authenticator, name="  My   phone ")

    stored = Passkey.objects.get(pk=passkey.pk)
    assert stored.user_id == user.pk
    assert bytes(stored.credential_id) == authenticator.credential_id
    assert stored.name == "My phone"
    assert stored.sign_count == 0
    assert stored.transports == ["hybrid", "internal"]
    assert stored.aaguid == "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"
    assert stored.device_type == "single_device"
    assert stored.backed_up is False
    assert user_has_passkeys(user.pk) and passkey_count(user.pk) == 1
    [event] = events
    assert event["kind"] == SecurityEventKind.PASSKEY_ADDED
    assert event["user_id"] == str(user.pk) and event["method"] == "passkey"


def test_a_synced_passkey_is_recorded_as_backed_up(user):
    passkey = register(user, SoftAuthenticator(synced=True, counting=False))
    assert passkey.backed_up is True and passkey.device_type == "multi_device"
    assert passkey.name == "Passkey"


def test_exclude_credentials_lists_the_users_passkeys_and_a_second_copy_is_refused(
    user, authenticator
):
    register(user, authenticator)
    options = services.passkey_registration_start(user=user)
    excluded = json.loads(options)["excludeCredentials"]
    assert excluded == [
        {
            "id": b64url(authenticator.credential_id),
            "type": "public-key",
            "transports": ["hybrid", "internal"],
        }
    ]
    # A browser refuses on the user's device...
    from passkeys.tests.authenticator import ExcludedCredential

    with pytest.raises(ExcludedCredential):
        authenticator.create(options)
    # ...and a client that ignores the list is refused here.
    forged_options = json.dumps({**json.loads(options), "excludeCredentials": []})
    with pytest.raises(DomainError) as caught:
        services.passkey_registration_finish(
            user=user, credential=authenticator.create(forged_options)
        )
    assert caught.value.code == PasskeyErrorCode.PASSKEY_ALREADY_REGISTERED
    assert passkey_count(user.pk) == 1


def test_the_same_credential_cannot_be_registered_to_another_account(
    user, other_user, authenticator
):
    register(user, authenticator)
    options = services.passkey_registration_start(user=other_user)
    with pytest.raises(DomainError) as caught:
        services.passkey_registration_finish(
            user=other_user, credential=authenticator.create(options)
        )
    assert caught.value.code == PasskeyErrorCode.PASSKEY_ALREADY_REGISTERED
    assert Passkey.objects.get().user_id == user.pk


def test_registration_from_another_origin_or_for_another_rp_id_is_refused(user):
    options = services.passkey_registration_start(user=user)
    phished = SoftAuthenticator().create(options, origin="https://evil.example")
    refused(services.passkey_registration_finish, user=user, credential=phished)

    options = services.passkey_registration_start(user=user)
    wrong_rp = SoftAuthenticator().create(options, rp_id="evil.example")
    refused(services.passkey_registration_finish, user=user, credential=wrong_rp)
    assert passkey_count(user.pk) == 0


def test_a_registration_challenge_works_once_and_only_for_its_user(user, other_user):
    options = services.passkey_registration_start(user=user)
    credential = SoftAuthenticator().create(options)
    # Someone else cannot finish it (and trying spends it)...
    refused(services.passkey_registration_finish, user=other_user, credential=credential)
    refused(services.passkey_registration_finish, user=user, credential=credential)
    # ...and a finished one cannot be replayed.
    options = services.passkey_registration_start(user=user)
    credential = SoftAuthenticator().create(options)
    services.passkey_registration_finish(user=user, credential=credential)
    error = refused(services.passkey_registration_finish, user=user, credential=credential)
    assert "expired or was already used" in error.message
    assert passkey_count(user.pk) == 1


def test_a_bad_name_is_a_validation_error_and_spends_nothing(user, authenticator):
    options = services.passkey_registration_start(user=user)
    credential = authenticator.create(options)
    with pytest.raises(DomainError) as caught:
        services.passkey_registration_finish(user=user, credential=credential, name="x" * 61)
    assert caught.value.field == "name"
    # The challenge is still good: the name is checked before anything is consumed.
    services.passkey_registration_finish(user=user, credential=credential, name="Key")


def test_remove_deletes_only_the_viewers_own_passkey(user, other_user, authenticator, events):
    passkey = register(user, authenticator)
    for who, which in ((other_user, str(passkey.pk)), (user, "not-a-uuid"), (user, "")):
        with pytest.raises(DomainError) as caught:
            services.passkey_remove(user=who, passkey_id=which)
        assert caught.value.code == "NOT_FOUND"
    services.passkey_remove(user=user, passkey_id=str(passkey.pk))
    assert not user_has_passkeys(user.pk)
    assert events[-1]["kind"] == SecurityEventKind.PASSKEY_REMOVED
    # Its credential no longer signs in.
    options = services.begin_authentication(None)
    refused(services.finish_authentication, authenticator.get(options))


# --- authentication (the seam) ----------------------------------------------------------


def test_begin_authentication_lists_the_users_passkeys_or_none(user, authenticator):
    register(user, authenticator)
    mine = json.loads(services.begin_authentication(user))
    assert [c["id"] for c in mine["allowCredentials"]] == [b64url(authenticator.credential_id)]
    assert mine["rpId"] == "localhost" and mine["userVerification"] == "preferred"
    anyone = json.loads(services.begin_authentication(None))
    assert anyone["allowCredentials"] == [] and anyone["userVerification"] == "required"


def test_discoverable_and_user_bound_assertions_return_the_owner(user, authenticator):
    passkey = register(user, authenticator)

    assert (
        services.finish_authentication(authenticator.get(services.begin_authentication(None)))
        == user
    )
    # A second factor (options for the user) and a re-authentication (discoverable options,
    # the signed-in user given) both verify against the given user.
    assert (
        services.finish_authentication(authenticator.get(services.begin_authentication(user)), user)
        == user
    )
    assert (
        services.finish_authentication(
            authenticator.get(services.begin_authentication(None)), user=user
        )
        == user
    )
    stored = Passkey.objects.get(pk=passkey.pk)
    assert stored.sign_count == 3 and stored.last_used_at is not None
    assert stored.sign_count_regressed_at is None


def test_a_passkey_that_never_counts_keeps_working(user):
    synced = SoftAuthenticator(synced=True, counting=False)
    register(user, synced)
    for _ in range(3):
        assert (
            services.finish_authentication(synced.get(services.begin_authentication(None))) == user
        )
    assert Passkey.objects.get().sign_count == 0


def test_wrong_origin_and_wrong_rp_id_are_refused(user, authenticator):
    register(user, authenticator)
    refused(
        services.finish_authentication,
        authenticator.get(services.begin_authentication(None), origin="https://evil.example"),
    )
    refused(
        services.finish_authentication,
        authenticator.get(services.begin_authentication(None), rp_id="evil.example"),
    )
    # Subdomain or scheme variants are other origins too.
    refused(
        services.finish_authentication,
        authenticator.get(services.begin_authentication(None), origin="https://localhost:5173"),
    )


def test_an_assertion_works_once(user, authenticator):
    register(user, authenticator)
    assertion = authenticator.get(services.begin_authentication(None))
    services.finish_authentication(assertion)
    error = refused(services.finish_authentication, assertion)
    assert "expired or was already used" in error.message


def test_a_challenge_is_spent_by_a_failed_attempt_too(user, authenticator):
    register(user, authenticator)
    options = services.begin_authentication(None)
    refused(
        services.finish_authentication, authenticator.get(options, origin="https://evil.example")
    )
    # The same challenge, now answered correctly, is gone.
    refused(services.finish_authentication, authenticator.get(options))


@override_settings(PASSKEY_CHALLENGE_LIFETIME=timedelta(seconds=1))
def test_an_expired_challenge_is_refused(user, authenticator):
    register(user, authenticator)
    options = services.begin_authentication(None)
    time.sleep(1.3)
    error = refused(services.finish_authentication, authenticator.get(options))
    assert "expired" in error.message


def test_a_challenge_issued_for_another_user_is_refused(user, other_user, authenticator):
    register(user, authenticator)
    theirs = SoftAuthenticator()
    register(other_user, theirs)
    # Options made for grace, answered by ada's passkey and presented as ada.
    options = json.loads(services.begin_authentication(other_user))
    options["allowCredentials"] = []
    refused(services.finish_authentication, authenticator.get(json.dumps(options)), user)
    # Options made for a user cannot start a passkey-only sign-in either.
    refused(services.finish_authentication, theirs.get(services.begin_authentication(other_user)))


def test_a_passkey_of_another_account_is_refused_for_a_given_user(user, other_user, authenticator):
    register(other_user, authenticator)
    error = refused(
        services.finish_authentication, authenticator.get(services.begin_authentication(None)), user
    )
    assert "another account" in error.message


def test_a_sign_counter_that_goes_back_is_refused_and_recorded(user, authenticator):
    passkey = register(user, authenticator)
    for _ in range(5):
        services.finish_authentication(authenticator.get(services.begin_authentication(None)))
    assert Passkey.objects.get(pk=passkey.pk).sign_count == 5

    # A clone still at 3, and one repeating 5: validly signed, counter not increasing.
    for stale in (3, 5, 0):
        refused(
            services.finish_authentication,
            authenticator.get(services.begin_authentication(None), sign_count=stale),
        )
    stored = Passkey.objects.get(pk=passkey.pk)
    assert stored.sign_count == 5 and stored.sign_count_regressed_at is not None
    # The genuine authenticator goes on.
    services.finish_authentication(authenticator.get(services.begin_authentication(None)))


def test_an_unknown_credential_is_refused(user, authenticator):
    register(user, authenticator)
    stranger = SoftAuthenticator()
    stranger.user_handle = authenticator.user_handle
    error = refused(
        services.finish_authentication, stranger.get(services.begin_authentication(None))
    )
    assert "not registered" in error.message


def test_a_signature_by_another_key_is_refused(user, authenticator):
    register(user, authenticator)
    impostor = SoftAuthenticator(credential_id=authenticator.credential_id)
    impostor.user_handle = authenticator.user_handle
    refused(services.finish_authentication, impostor.get(services.begin_authentication(None)))


def test_the_user_handle_must_match_and_is_needed_without_a_user(user, authenticator):
    register(user, authenticator)
    refused(
        services.finish_authentication,
        authenticator.get(services.begin_authentication(None), user_handle=b"\x01" * 32),
    )
    refused(
        services.finish_authentication,
        authenticator.get(services.begin_authentication(None), user_handle=None),
    )
    # As a second factor the account is known: authenticators may leave the handle out.
    assert (
        services.finish_authentication(
            authenticator.get(services.begin_authentication(user), user_handle=None), user
        )
        == user
    )


def test_user_verification_is_required_for_a_passkey_alone_only(user, authenticator):
    register(user, authenticator)
    refused(
        services.finish_authentication,
        authenticator.get(services.begin_authentication(None), uv=False),
    )
    assert (
        services.finish_authentication(
            authenticator.get(services.begin_authentication(user), uv=False), user
        )
        == user
    )


def test_a_registration_challenge_cannot_answer_a_sign_in(user, authenticator):
    register(user, authenticator)
    registration_options = json.loads(services.passkey_registration_start(user=user))
    request = {"challenge": registration_options["challenge"], "rpId": "localhost"}
    refused(services.finish_authentication, authenticator.get(json.dumps(request)), user)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "not json",
        "[]",
        "null",
        '{"id": 1}',
        '{"rawId": "AAAA", "response": {"clientDataJSON": "!!!"}}',
        '{"rawId": "AAAA", "response": {"clientDataJSON": "' + b64url(b"[1,2]") + '"}}',
        "[" * 100_000,
        "[" * 30_000,
        json.dumps({"padding": "x" * 40_000}),
    ],
)
def test_garbage_is_a_clear_passkey_invalid(user, garbage):
    refused(services.finish_authentication, garbage)
    refused(services.passkey_registration_finish, user=user, credential=garbage)


def test_a_mangled_assertion_is_refused_not_a_crash(user, authenticator):
    register(user, authenticator)
    good = json.loads(authenticator.get(services.begin_authentication(None)))
    variants = []
    for part in ("authenticatorData", "signature"):
        for value in ("", "AA", b64url(b"\xff" * 300), 7):
            broken = json.loads(json.dumps(good))
            broken["response"][part] = value
            variants.append(broken)
    bad_type = json.loads(json.dumps(good))
    bad_type["type"] = "password"
    variants.append(bad_type)
    for variant in variants:
        # Each needs its own challenge (a failed attempt spends it).
        fresh = json.loads(authenticator.get(services.begin_authentication(None)))
        client_data = fresh["response"]["clientDataJSON"]
        variant["response"]["clientDataJSON"] = client_data
        refused(services.finish_authentication, json.dumps(variant))


def test_two_racers_with_one_challenge_get_it_once():
    challenge = challenges.issue(
        purpose=challenges.Purpose.AUTHENTICATION, user_id=None, user_verification_required=True
    )
    barrier = threading.Barrier(8)
    results: list[object] = []

    def take() -> None:
        barrier.wait()
        results.append(challenges.consume(challenge))

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is not None for result in results) == 1


def test_redis_down_is_service_unavailable(settings):
    caches = {**settings.CACHES}
    caches["default"] = {**caches["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    with override_settings(CACHES=caches):
        with pytest.raises(ServiceUnavailableError):
            services.begin_authentication(None)
        with pytest.raises(ServiceUnavailableError):
            challenges.consume(b"x" * 32)


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_challenges_are_single_use_on_the_in_process_cache_too(user, authenticator):
    # bin/dev runs without Redis: the same ceremony, get-then-delete instead of GETDEL.
    register(user, authenticator)
    assertion = authenticator.get(services.begin_authentication(None))
    assert services.finish_authentication(assertion) == user
    refused(services.finish_authentication, assertion)


def test_registration_starts_are_limited_per_user(user, other_user):
    for _ in range(20):
        services.passkey_registration_start(user=user)
    with pytest.raises(DomainError) as caught:
        services.passkey_registration_start(user=user)
    assert caught.value.code == "RATE_LIMITED" and caught.value.retry_after
    services.passkey_registration_start(user=other_user)


def test_an_account_holds_at_most_twenty_passkeys(user):
    for _ in range(services.MAX_PASSKEYS_PER_USER):
        register(user, SoftAuthenticator())
        registration_limit_reset(user)
    with pytest.raises(DomainError) as caught:
        services.passkey_registration_start(user=user)
    assert caught.value.code == "VALIDATION_ERROR" and "at most 20" in caught.value.message


def registration_limit_reset(user: User) -> None:
    # Only the passkey count is under test here, not the per-user start limit.
    from core import ratelimit

    ratelimit.reset("passkey:register", str(user.pk))


def test_a_ceremony_in_a_cross_origin_frame_is_refused(user, authenticator):
    register(user, authenticator)
    authenticator.cross_origin = True
    refused(services.finish_authentication, authenticator.get(services.begin_authentication(None)))
    options = services.passkey_registration_start(user=user)
    refused(
        services.passkey_registration_finish,
        user=user,
        credential=SoftAuthenticator(cross_origin=True).create(options),
    )
