from django.apps import AppConfig


class SecurityLogConfig(AppConfig):
    """The per-user security log: sign-ins, credential and factor changes, ended sessions."""

    name = "securitylog"
    verbose_name = "Security log"

    def ready(self) -> None:
        # Connects the receiver of core.events.security_event.
        from securitylog import receivers  # noqa: F401
