from django.core.exceptions import ValidationError

MAX_PASSWORD_LENGTH = 128


class MaximumLengthValidator:
    """Refuse absurdly long passwords before they reach the (deliberately slow) hasher."""

    def __init__(self, max_length: int = MAX_PASSWORD_LENGTH) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long; use at most {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password must contain at most {self.max_length} characters."
