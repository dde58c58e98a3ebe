from django.apps import AppConfig


class SecurityLogConfig(AppConfig):
    """The per-user security log: sign-ins, credential and factor changes, ended sessions."""

    name = "securitylog"
