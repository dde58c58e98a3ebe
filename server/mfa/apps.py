from django.apps import AppConfig


class MfaConfig(AppConfig):
    """Second factors (TOTP, recovery codes), the two-step sign-in and step-up."""

    name = "mfa"
    verbose_name = "Second factors"
