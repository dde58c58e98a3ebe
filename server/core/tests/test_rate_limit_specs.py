"""Rate limits written as specs (`5/15m/ip`), RATE_LIMITS overriding any of them, and the
deprecated variables they replace (still read, with a warning naming the new form)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.ratelimit import LIMITS, RateLimitSpecError, Rule, parse_spec, settings_from_environment
from core.tests.test_settings import manage, production_env


@pytest.mark.parametrize(
    ("spec", "rule"),
    [
        ("5/15m/ip", Rule(5, timedelta(minutes=15), "ip")),
        ("10/h/account", Rule(10, timedelta(hours=1), "account")),
        ("10/1h/account", Rule(10, timedelta(hours=1), "account")),
        ("1/60s/email", Rule(1, timedelta(seconds=60), "email")),
        ("3/d/email", Rule(3, timedelta(days=1), "email")),
        (" 20 / 15M / IP ", Rule(20, timedelta(minutes=15), "ip")),
        ("1048576/1d/ip", Rule(1048576, timedelta(days=1), "ip")),
    ],
)
def test_good_specs(spec, rule):
    assert parse_spec(spec) == rule


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("", "is not N/window/per"),
        ("5", "is not N/window/per"),
        ("5/15m", "is not N/window/per"),
        ("5/15m/ip/x", "is not N/window/per"),
        ("0/15m/ip", "'0' in '0/15m/ip' is not a whole number of at least 1"),
        ("-1/15m/ip", "is not a whole number"),
        ("five/15m/ip", "is not a whole number"),
        ("2.5/15m/ip", "is not a whole number"),
        ("5/15/ip", "'15' in '5/15/ip' is not a window (use e.g. 30s, 15m, 1h, h, 1d)"),
        ("5/0m/ip", "is not a window"),
        ("5/15q/ip", "is not a window"),
        ("5/1w/ip", "is not a window"),
        ("5/15m/user", "'user' in '5/15m/user' is not one of ip, email, account"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec, says):
    with pytest.raises(RateLimitSpecError) as error:
        parse_spec(spec)
    assert says in str(error.value)


def test_an_action_spec_may_leave_out_who_it_counts_but_not_name_another():
    assert parse_spec("20/15m", per="ip") == Rule(20, timedelta(minutes=15), "ip")
    with pytest.raises(RateLimitSpecError, match="counts per email, but this limit counts per ip"):
        parse_spec("20/15m/email", per="ip")


@pytest.mark.parametrize(
    ("spec", "written"),
    [("90s/ip", None), ("1/90s/ip", "1/90s/ip"), ("1/120s/ip", "1/2m/ip"), ("2/24h/ip", "2/1d/ip")],
)
def test_a_rule_writes_itself_back_as_a_spec(spec, written):
    if written is None:
        with pytest.raises(RateLimitSpecError):
            parse_spec(spec)
    else:
        assert parse_spec(spec).spec == written


def test_every_default_in_the_table_is_a_spec():
    for action, limit in LIMITS.items():
        assert limit.default == parse_spec(limit.spec), action


# --- RATE_LIMITS ----------------------------------------------------------------------


def test_rate_limits_overrides_any_action():
    read = settings_from_environment("login:ip=20/15m, email_code_email=10/h/email,", {})
    assert read.overrides == {"login:ip": "20/15m/ip", "email_code_email": "10/1h/email"}
    assert read.problems == read.warnings == []


def test_every_bad_rate_limits_entry_is_named():
    read = settings_from_environment(
        "logn:ip=20/15m,login:ip=20/15m/email,register_ip,second_factor=3/15m,"
        "second_factor=4/15m,subscribe=0/1h,passkey:start=5/15x",
        {},
    )
    assert read.problems == [
        "RATE_LIMITS: 'logn:ip=20/15m' names no rate limit (did you mean 'login:ip'?)",
        "RATE_LIMITS: 'login:ip=20/15m/email': '20/15m/email' counts per email, but this "
        "limit counts per ip",
        "RATE_LIMITS: 'register_ip' is not action=spec (e.g. login:ip=20/15m)",
        "RATE_LIMITS: 'second_factor' is set twice",
        "RATE_LIMITS: 'subscribe=0/1h': '0' in '0/1h' is not a whole number of at least 1",
        "RATE_LIMITS: 'passkey:start=5/15x': '15x' in '5/15x' is not a window (use e.g. 30s, "
        "15m, 1h, h, 1d)",
    ]


def test_deprecated_variables_are_folded_in_with_a_warning_naming_the_new_form():
    read = settings_from_environment(
        "", {"LOGIN_RATE_LIMIT_PER_EMAIL": 3, "LOGIN_RATE_WINDOW": timedelta(minutes=5)}
    )
    assert read.overrides == {"login:email": "3/5m/email", "login:ip": "100/5m/ip"}
    assert read.problems == []
    assert read.warnings == [
        "LOGIN_RATE_LIMIT_PER_EMAIL, LOGIN_RATE_WINDOW: deprecated, read for this release only; "
        "set RATE_LIMITS=login:email=3/5m/email,login:ip=100/5m/ip instead"
    ]


def test_a_shared_deprecated_window_sets_every_action_it_set():
    read = settings_from_environment("", {"EMAIL_RESEND_COOLDOWN": timedelta(seconds=90)})
    assert read.overrides == {
        "register_notice": "1/90s/email",
        "verify_resend": "1/90s/email",
        "password_reset": "1/90s/email",
    }


def test_rate_limits_wins_over_a_deprecated_variable():
    read = settings_from_environment("login:email=7/1h", {"LOGIN_RATE_LIMIT_PER_EMAIL": 3})
    assert read.overrides == {"login:email": "7/1h/email"}
    assert read.warnings == [
        "LOGIN_RATE_LIMIT_PER_EMAIL: deprecated, read for this release only (RATE_LIMITS sets "
        "login:email: they are not read for it); set RATE_LIMITS=login:email=7/1h/email instead"
    ]


def test_a_deprecated_count_below_one_is_a_problem():
    read = settings_from_environment("", {"SECOND_FACTOR_ATTEMPTS": 0})
    assert read.problems == ["SECOND_FACTOR_ATTEMPTS: 0 is not a whole number of at least 1"]


def test_the_apq_registration_count_is_ignored_now_that_bytes_are_counted():
    read = settings_from_environment("", {"GRAPHQL_APQ_REGISTRATIONS_PER_IP": 500})
    assert read.overrides == {}
    assert read.warnings == [
        "GRAPHQL_APQ_REGISTRATIONS_PER_IP: ignored, apq_register now counts the bytes of the "
        "documents one client IP registers, not the documents; set "
        "RATE_LIMITS=apq_register=1048576/1d/ip"
    ]


# --- at start ---------------------------------------------------------------------------

PRINT_RULES = (
    "from django.conf import settings; from core import ratelimit; "
    "print(ratelimit.rule('login:email').spec, ratelimit.rule('login:ip').spec, "
    "settings.LOGIN_RATE_LIMIT_PER_EMAIL)"
)


def test_a_bad_rate_limits_entry_stops_the_start_naming_it():
    result = manage("check", env=production_env(RATE_LIMITS="login:ip=20/15m,logn:email=5/h"))
    assert result.returncode != 0
    assert "RATE_LIMITS: 'logn:email=5/h' names no rate limit (did you mean 'login:email'?)" in (
        result.stderr
    )


def test_at_start_rate_limits_and_deprecated_variables_apply():
    result = manage(
        "shell",
        "-c",
        PRINT_RULES,
        env=production_env(RATE_LIMITS="login:ip=20/15m", LOGIN_RATE_LIMIT_PER_EMAIL="3"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["3/15m/email", "20/15m/ip", "3"]
    assert "FutureWarning: LOGIN_RATE_LIMIT_PER_EMAIL: deprecated" in result.stderr
    assert "set RATE_LIMITS=login:ip=20/15m/ip,login:email=3/15m/email instead" in result.stderr
