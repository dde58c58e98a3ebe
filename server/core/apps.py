from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        # Connects the receivers that run deferred work after each response.
        from core import deferred  # noqa: F401
