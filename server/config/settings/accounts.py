"""Users and passwords: hashing, validation, the emailed links and their rate limits."""

from __future__ import annotations

from datetime import timedelta

from config.settings.environment import env

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "accounts.validators.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- email verification and password reset ----------------------------------------------

EMAIL_VERIFICATION_TOKEN_LIFETIME = env.duration(
    "EMAIL_VERIFICATION_TOKEN_LIFETIME", timedelta(days=3)
)
PASSWORD_RESET_TOKEN_LIFETIME = env.duration("PASSWORD_RESET_TOKEN_LIFETIME", timedelta(hours=1))
PASSWORD_RESET_TIMEOUT = int(PASSWORD_RESET_TOKEN_LIFETIME.total_seconds())
EMAIL_RESEND_COOLDOWN = env.duration("EMAIL_RESEND_COOLDOWN", timedelta(seconds=60))
# One-time codes emailed instead of links (method: CODE): six digits, five tries each.
EMAIL_CODE_LIFETIME = env.duration("EMAIL_CODE_LIFETIME", timedelta(minutes=10))

# --- rate limits ------------------------------------------------------------------------

# Per client IP, across addresses: requestPasswordReset and resendVerificationEmail.
REGISTRATIONS_PER_IP = env.int("REGISTRATIONS_PER_IP", 20)
REGISTRATIONS_IP_WINDOW = env.duration("REGISTRATIONS_IP_WINDOW", timedelta(hours=1))
EMAIL_REQUESTS_PER_IP = env.int("EMAIL_REQUESTS_PER_IP", 20)
EMAIL_REQUESTS_IP_WINDOW = env.duration("EMAIL_REQUESTS_IP_WINDOW", timedelta(hours=1))
# verifyEmailWithCode / resetPasswordWithCode attempts: per client IP (one client must not
# spray guesses over many addresses) and per address (many clients must not pool theirs).
EMAIL_CODE_ATTEMPTS_PER_IP = env.int("EMAIL_CODE_ATTEMPTS_PER_IP", 30)
EMAIL_CODE_ATTEMPTS_IP_WINDOW = env.duration("EMAIL_CODE_ATTEMPTS_IP_WINDOW", timedelta(minutes=15))
EMAIL_CODE_ATTEMPTS_PER_EMAIL = env.int("EMAIL_CODE_ATTEMPTS_PER_EMAIL", 15)
EMAIL_CODE_ATTEMPTS_EMAIL_WINDOW = env.duration(
    "EMAIL_CODE_ATTEMPTS_EMAIL_WINDOW", timedelta(hours=1)
)
# Wrong old passwords in changePassword, per user.
CHANGE_PASSWORD_ATTEMPTS = env.int("CHANGE_PASSWORD_ATTEMPTS", 5)
CHANGE_PASSWORD_WINDOW = env.duration("CHANGE_PASSWORD_WINDOW", timedelta(minutes=15))
