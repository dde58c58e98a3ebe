from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "tokens"

    def ready(self) -> None:
        from tokens import signals, snapshot  # noqa: F401  (connect the receivers)
