"""Email addresses: one canonical form per mailbox; look-alikes and oddities refused."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core import mail

from accounts.models import User, normalize_email
from accounts.tests.test_register_and_profile import register
from tokens.tests.helpers import data, login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address",
    [
        "alice@example.com\u200b",  # zero-width space
        "alice@exa\u200cmple.com",  # zero-width non-joiner
        "alice@exa\u200dmple.com",  # zero-width joiner
        "alice@example\u2060.com",  # word joiner
        "\ufeffalice@example.com",  # byte order mark
        "alice@exam\u00adple.com",  # soft hyphen
        "alice@example.com\ufe0f",  # variation selector
        "alice@example.com\u180b",  # Mongolian variation selector
        "alice@exam\u034fple.com",  # combining grapheme joiner
        "alice@example.com\U000e0001",  # language tag
        "ali\u202ece@example.com",  # right-to-left override
        "alice@example.com\x00",
        "alice\x01@example.com",
        "alice@example.com\x7f",
        "alice@[192.0.2.1]",
        "alice@[IPv6:2001:db8::1]",
        "alice@192.0.2.1",
        "alice@localhost",
        "alice@example",
        "alice@exam_ple.com",
    ],
)
def test_look_alike_and_odd_addresses_are_refused(gql, address):
    result = register(gql, email=address)
    payload = data(result)["register"]
    assert [e["code"] for e in payload["errors"]] == ["INVALID_EMAIL"]
    assert payload["errors"][0]["field"] == "email"
    assert not User.objects.exists()


def test_the_victims_address_with_a_zero_width_space_is_not_a_new_account(gql, user):
    result = register(gql, email="ada@example.com\u200b")
    assert [e["code"] for e in data(result)["register"]["errors"]] == ["INVALID_EMAIL"]
    assert User.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # emails leave on commit
def test_unicode_and_punycode_forms_of_a_domain_are_one_account(gql):
    # given: an account registered with the Unicode form
    assert data(register(gql, email="Bob@Exämple.com"))["register"]["ok"] is True
    user = User.objects.get()
    assert user.email == "bob@xn--exmple-cua.com"
    (verification,) = mail.outbox
    assert verification.to == ["bob@xn--exmple-cua.com"]

    # when: the A-label form registers
    assert data(register(gql, email="bob@xn--exmple-cua.com"))["register"]["ok"] is True

    # then: still one account; the second registration only reached the same mailbox
    assert User.objects.count() == 1
    assert {tuple(message.to) for message in mail.outbox} == {("bob@xn--exmple-cua.com",)}

    # and either form signs in
    User.objects.filter(pk=user.pk).update(email_verified=True)
    for typed in ("bob@exämple.com", "BOB@XN--EXMPLE-CUA.COM", "bob@EXÄMPLE.com"):
        assert data(login(gql, typed, "a-long-enough-passphrase"))["login"]["errors"] == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Ada@Example.COM ", "ada@example.com"),
        ("bob@exämple.com", "bob@xn--exmple-cua.com"),
        ("bob@EXÄMPLE.COM", "bob@xn--exmple-cua.com"),
        ("x@bücher.example", "x@xn--bcher-kva.example"),
        ("x@xn--bcher-kva.example", "x@xn--bcher-kva.example"),
        ("no-at-sign", "no-at-sign"),
    ],
)
def test_normal_form(typed, stored):
    assert normalize_email(typed) == stored


def test_the_data_migration_rewrites_stored_unicode_domains():
    # given: rows stored before normalisation (written around the model's own rules)
    bob = User.objects.create_user("bob@placeholder.example", "x")
    twin = User.objects.create_user("eve@xn--exmple-cua.com", "x")
    eve = User.objects.create_user("eve@placeholder.example", "x")
    plain = User.objects.create_user("ada@example.com", "x")
    look_alike = User.objects.create_user("mallory@placeholder.example", "x")
    User.objects.filter(pk=bob.pk).update(email="bob@exämple.com")
    User.objects.filter(pk=eve.pk).update(email="eve@exämple.com")
    User.objects.filter(pk=look_alike.pk).update(email="grace@example.com\u200b")

    # when
    migration = importlib.import_module("migrations.accounts.0003_email_domains_a_labels")
    migration.forwards(apps, None)

    # then: converted, except where it would merge two accounts or drop an invisible
    # character (which would hand the look-alike's owner the real address)
    emails = dict(User.objects.values_list("pk", "email"))
    assert emails[bob.pk] == "bob@xn--exmple-cua.com"
    assert emails[eve.pk] == "eve@exämple.com"
    assert emails[twin.pk] == "eve@xn--exmple-cua.com"
    assert emails[plain.pk] == "ada@example.com"
    assert emails[look_alike.pk] == "grace@example.com\u200b"


def test_the_printable_ascii_shortcut_agrees_with_the_full_check():
    from accounts.email_address import _refused_char, has_refused_chars

    for point in range(0x80):
        char = chr(point)
        assert has_refused_chars(f"a{char}b@example.com") is _refused_char(char), hex(point)
    assert has_refused_chars("ada@example.com\u200b") is True
    assert has_refused_chars("ada@exämple.com") is False
