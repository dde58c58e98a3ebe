from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError

from accounts.models import Profile, User, normalize_email
from accounts.services import login_attempt_record, login_attempts_forget
from core.errors import ServiceUnavailableError
from core.net import client_ip


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """The admin's sign-in, under the same per-address and per-IP limits as the API's
    `login` (and the same counters: guesses here and there add up)."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username and self.cleaned_data.get("password"):
            email = normalize_email(username)
            try:
                ip = client_ip(self.request) if self.request is not None else None
                allowed = login_attempt_record(email=email, ip_address=ip)
            except ServiceUnavailableError:
                # The limits cannot be checked while Redis is down: no unlimited guessing.
                raise ValidationError(
                    "Signing in is briefly unavailable; try again shortly.", code="unavailable"
                ) from None
            if not allowed:
                raise ValidationError(
                    "Too many sign-in attempts; try again later.", code="rate_limited"
                )
            cleaned = super().clean()
            login_attempts_forget(email=email)
            return cleaned
        return super().clean()


admin.site.login_form = ThrottledAdminLoginForm


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    ordering = ("-date_joined",)
    list_display = ("email", "email_verified", "register_method", "is_active", "date_joined")
    list_filter = ("email_verified", "register_method", "is_active", "is_staff")
    search_fields = ("email",)
    readonly_fields = ("date_joined", "last_login")
    inlines = (ProfileInline,)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Status", {"fields": ("email_verified", "register_method", "is_active")}),
        ("Permissions", {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    filter_horizontal = ("groups", "user_permissions")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "updated_at")
    search_fields = ("user__email", "display_name")
    raw_id_fields = ("user",)
