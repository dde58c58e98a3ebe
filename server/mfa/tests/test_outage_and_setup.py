"""Redis going away mid-sign-in, the encryption key's set-up, and the rotation command."""

from __future__ import annotations

import stat
from io import StringIO

import pytest
from django.core.management import call_command

from api.context import Caller
from mfa import crypto
from mfa.models import TotpDevice
from mfa.tests.conftest import REAUTH, Enrolled, call, codes, login, totp_device, verify
from tokens.tests.redis_server import own_redis

pytestmark = pytest.mark.django_db


def test_redis_down_at_the_second_step_spends_nothing(gql, enrolled: Enrolled, password, tmp_path):
    with own_redis(tmp_path) as redis_server:
        challenge = login(gql, password)["secondFactor"]["challenge"]
        step_before = totp_device(enrolled.user).last_used_step

        # when Redis dies between the two steps
        redis_server.kill()
        result = gql(
            """mutation V($c: String!, $code: String!) {
              verifySecondFactor(input: {challenge: $c, code: $code}, transport: BODY) {
                accessToken errors { code } } }""",
            {"c": challenge, "code": enrolled.code()},
        )

        # then: 503 with a retry hint, and the code was not spent
        assert result.status == 503
        assert result.error_codes == ["SERVICE_UNAVAILABLE"]
        assert totp_device(enrolled.user).last_used_step == step_before

        # and once Redis is back (with its append-only file) the same challenge and code work
        redis_server.start()
        done = verify(gql, challenge=challenge, code=enrolled.code())
        assert done["errors"] == [] and done["accessToken"]


def test_development_generates_a_private_key_file(settings, tmp_path):
    settings.MFA_ENCRYPTION_KEY = ""
    settings.MFA_DEV_KEY_FILE = tmp_path / "keys" / "mfa-dev.key"

    token = crypto.secret_encrypt("JBSWY3DPEHPK3PXP")

    key_file = settings.MFA_DEV_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert (
        crypto.Fernet(key_file.read_text().encode()).decrypt(token.encode()) == b"JBSWY3DPEHPK3PXP"
    )
    # the same key is read back, not made anew
    assert crypto.secret_decrypt(token) == "JBSWY3DPEHPK3PXP"


def test_production_refuses_to_start_without_a_key_and_never_prints_a_bad_one():
    from core.tests.test_settings import manage, production_env

    missing = manage("check", env=production_env(MFA_ENCRYPTION_KEY=""))
    assert missing.returncode != 0
    assert "MFA_ENCRYPTION_KEY" in missing.stderr

    bad_value = "not-a-fernet-key-but-a-secret-9f8e7d"
    malformed = manage("check", env=production_env(MFA_ENCRYPTION_KEY=bad_value))
    assert malformed.returncode != 0
    assert "MFA_ENCRYPTION_KEY" in malformed.stderr
    assert bad_value not in malformed.stderr


def test_the_rotation_command_reencrypts_under_the_new_key(enrolled: Enrolled, settings):
    old = crypto._keys()[0]
    settings.MFA_ENCRYPTION_KEY = crypto.Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_OLD_KEYS = [old]
    out = StringIO()

    call_command("mfa_rotate_key", stdout=out)

    assert out.getvalue().strip() == "re-encrypted 1 secret(s)"
    settings.MFA_ENCRYPTION_OLD_KEYS = []
    assert crypto.secret_decrypt(TotpDevice.objects.get(user=enrolled.user).secret) == (
        enrolled.secret
    )


def test_an_account_without_password_or_second_factor_signs_in_again_to_step_up(gql, user):
    from tokens.models import AuthMethod
    from tokens.services import session_start

    user.set_unusable_password()
    user.save()
    issued = session_start(
        user=user, auth_method=AuthMethod.GOOGLE, caller=Caller(ip_address=None, user_agent="")
    )
    payload = call(gql, REAUTH, "reauthenticate", issued.access_token, input={"password": "x"})
    assert codes(payload) == ["VALIDATION_ERROR"]
    assert "sign in again" in payload["errors"][0]["message"]


def test_staff_see_no_secret_and_may_only_delete(enrolled: Enrolled, admin_client):
    page = admin_client.get(f"/admin/mfa/totpdevice/{enrolled.user.pk}/change/")
    assert page.status_code == 200
    stored = totp_device(enrolled.user).secret
    body = page.content.decode()
    assert enrolled.secret not in body and stored not in body
    assert admin_client.get("/admin/mfa/totpdevice/add/").status_code == 403

    deleted = admin_client.post(
        f"/admin/mfa/totpdevice/{enrolled.user.pk}/delete/", {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert not TotpDevice.objects.filter(user=enrolled.user).exists()
