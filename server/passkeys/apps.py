from django.apps import AppConfig


class PasskeysConfig(AppConfig):
    """WebAuthn passkeys: registration, passkey sign-in, passkey as a second factor."""

    name = "passkeys"
