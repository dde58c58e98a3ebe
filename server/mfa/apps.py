from django.apps import AppConfig


class MfaConfig(AppConfig):
    """Second factors (TOTP, recovery codes), the two-step sign-in and step-up."""

    name = "mfa"
    verbose_name = "Second factors"

    def ready(self) -> None:
        # The second factor is a stage of the one sign-in flow, which sits below this app.
        from mfa.services import SecondFactorStage
        from tokens.services import sign_in_stage_add

        sign_in_stage_add(SecondFactorStage())
