"""Writes for accounts. Resolvers call these; nothing under schema/ touches the ORM."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction

from accounts.errors import AccountErrorCode
from accounts.models import Profile, RegisterMethod, User, normalize_email
from accounts.validators import MAX_PASSWORD_LENGTH
from core.errors import CoreErrorCode, DomainError, raise_if_any

_email_validator = EmailValidator()
_url_validator = URLValidator(schemes=["http", "https"])

MAX_LINKS = 10
PROFILE_LIMITS = {
    "display_name": 50,
    "first_name": 150,
    "last_name": 150,
    "short_intro": 160,
    "bio": 5000,
    "website": 200,
}


@dataclass(frozen=True, kw_only=True)
class ProfileData:
    """A partial profile: fields left as None are not changed."""

    display_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    short_intro: str | None = None
    bio: str | None = None
    website: str | None = None
    links: list[str] | None = field(default=None)


def email_clean(email: str, *, field_name: str = "email") -> str:
    """Normalise and validate an address, or raise INVALID_EMAIL."""
    normalized = normalize_email(email)
    if len(normalized) > 254:
        raise DomainError(
            AccountErrorCode.INVALID_EMAIL, "Enter a valid email address.", field_name
        )
    try:
        _email_validator(normalized)
    except ValidationError:
        raise DomainError(
            AccountErrorCode.INVALID_EMAIL, "Enter a valid email address.", field_name
        ) from None
    return normalized


def password_check(
    password: str, *, user: User | None = None, field_name: str = "password"
) -> None:
    """Run Django's password validators; their failures become PASSWORD_TOO_WEAK."""
    if len(password) > MAX_PASSWORD_LENGTH:
        # Checked before the validators so that no slow work runs on a huge input.
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            f"Use at most {MAX_PASSWORD_LENGTH} characters.",
            field_name,
        )
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise DomainError(
            AccountErrorCode.PASSWORD_TOO_WEAK, " ".join(exc.messages), field_name
        ) from None


def _profile_changes(data: ProfileData) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    errors: list[DomainError] = []
    for name, limit in PROFILE_LIMITS.items():
        value = getattr(data, name)
        if value is None:
            continue
        value = value.strip()
        if len(value) > limit:
            errors.append(
                DomainError(
                    CoreErrorCode.VALIDATION_ERROR, f"Use at most {limit} characters.", name
                )
            )
            continue
        if name == "website" and value:
            try:
                _url_validator(value)
            except ValidationError:
                errors.append(
                    DomainError(CoreErrorCode.VALIDATION_ERROR, "Enter a valid http(s) URL.", name)
                )
                continue
        changes[name] = value
    if data.links is not None:
        links = [link.strip() for link in data.links if link.strip()]
        if len(links) > MAX_LINKS:
            errors.append(
                DomainError(
                    CoreErrorCode.VALIDATION_ERROR, f"Add at most {MAX_LINKS} links.", "links"
                )
            )
        else:
            for link in links:
                try:
                    if len(link) > 200:
                        raise ValidationError("too long")
                    _url_validator(link)
                except ValidationError:
                    errors.append(
                        DomainError(
                            CoreErrorCode.VALIDATION_ERROR,
                            "Each link must be an http(s) URL of at most 200 characters.",
                            "links",
                        )
                    )
                    break
            else:
                changes["links"] = links
    raise_if_any(errors)
    return changes


@dataclass(frozen=True)
class RegistrationResult:
    """`created` is for the caller's side effects only and must never reach a client."""

    user: User
    created: bool


@transaction.atomic
def user_register(
    *, email: str, password: str, profile: ProfileData | None = None
) -> RegistrationResult:
    """Create an unverified account, or find the existing one without saying so.

    The password is validated and hashed in both cases so that a taken address answers
    in the same time and with the same payload as a free one.
    """
    errors: list[DomainError] = []
    normalized = ""
    try:
        normalized = email_clean(email)
    except DomainError as exc:
        errors.append(exc)
    try:
        password_check(password, user=User(email=normalized) if normalized else None)
    except DomainError as exc:
        errors.append(exc)
    changes: dict[str, Any] = {}
    try:
        changes = _profile_changes(profile or ProfileData())
    except DomainError as exc:
        errors.extend(getattr(exc, "errors", [exc]))
    raise_if_any(errors)

    password_hash = make_password(password)
    existing = User.objects.filter(email=normalized).first()
    if existing is not None:
        return RegistrationResult(user=existing, created=False)
    try:
        with transaction.atomic():
            user = User.objects.create(
                email=normalized, password=password_hash, register_method=RegisterMethod.EMAIL
            )
    except IntegrityError:
        # A concurrent registration of the same address won the race.
        return RegistrationResult(user=User.objects.get(email=normalized), created=False)
    Profile.objects.create(user=user, **changes)
    return RegistrationResult(user=user, created=True)


@transaction.atomic
def profile_update(*, user: User, data: ProfileData) -> Profile:
    changes = _profile_changes(data)
    profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
    for name, value in changes.items():
        setattr(profile, name, value)
    if changes:
        profile.save(update_fields=[*changes, "updated_at"])
    return profile
