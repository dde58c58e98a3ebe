"""Typed codes tidied the way people type them (core/codes.py), for TOTP and emailed codes."""

from __future__ import annotations

import pytest

from core.codes import digits_tidy
from mfa.totp import code_clean


@pytest.mark.parametrize(
    "typed",
    [
        "665469",
        "665 469",
        " 665 469\n",
        "665-469",
        "66-54-69",
        "665\u2013469",  # en dash
        "665\u2212469",  # minus sign
        "665\u00a0469",  # no-break space
        "\uff16\uff16\uff15\uff14\uff16\uff19",  # full-width digits
        "\uff16\uff16\uff15\u3000\uff14\uff16\uff19",  # …with an ideographic space
        "\uff16\uff16\uff15\uff0d\uff14\uff16\uff19",  # …with a full-width hyphen
    ],
)
def test_what_people_type_is_the_six_digits(typed):
    assert digits_tidy(typed) == "665469"
    # TOTP codes are tidied by the very same helper.
    assert code_clean(typed) == "665469"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "66546",
        "6654690",
        "665 46",
        "665.469",
        "665_469",
        "abcdef",
        "\u0666\u0666\u0665\u0664\u0666\u0669",  # Arabic-Indic digits: not read as digits
        "6" * 65,
        "665469\x00",
    ],
)
def test_anything_else_is_no_code(typed):
    assert digits_tidy(typed) is None
    assert code_clean(typed) is None


def test_another_length():
    assert digits_tidy("1234 5678", length=8) == "12345678"
    assert digits_tidy("1234 5678") is None
