"""Users sign in by email; every user has exactly one profile."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

# Re-exported: the canonical form is defined next to the rules for addresses.
from accounts.email_address import normalize_email

__all__ = ["Profile", "RegisterMethod", "User", "UserManager", "normalize_email"]


class RegisterMethod(models.TextChoices):
    EMAIL = "email", "Email and password"
    GOOGLE = "google", "Google"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)  # None gives an unusable password (Google sign-ups)
        user.save(using=self._db)
        Profile.objects.create(user=user)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True, email_verified=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalize_email(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    email_verified = models.BooleanField(default=False)
    register_method = models.CharField(
        max_length=16, choices=RegisterMethod.choices, default=RegisterMethod.EMAIL
    )
    is_active = models.BooleanField(
        default=True, help_text="Unticking this signs the user out everywhere at once."
    )
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Part of every password-reset token's hash: bumping it on each request spends every
    # reset link sent before (see accounts/email_tokens.py).
    password_reset_counter = models.PositiveIntegerField(default=0, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints: ClassVar = [
            # Belt and braces: services store the normalised form, the database insists.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)


class Profile(models.Model):
    """What a user tells others about themselves; created with the user."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=50, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    short_intro = models.CharField(max_length=160, blank=True)
    bio = models.TextField(max_length=5000, blank=True)
    website = models.URLField(max_length=200, blank=True)
    links = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Profile of {self.user_id}"
