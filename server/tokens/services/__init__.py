"""Writes for tokens, by job: signing in (`signin`, the one sign-in flow), rotating a refresh token
(`rotation`), and ending sessions (`ending`).

PostgreSQL is the truth for every refresh; Redis gets a hot copy of each revocation as it
is made (tokens/revocation.py). What makes a session live is defined once, in
tokens/models.py (`LIVENESS_RULES`).
"""

from tokens.services.ending import (
    session_logout,
    session_revoke,
    sessions_delete_stale,
    sessions_end_all,
    sessions_end_everyone,
)
from tokens.services.rotation import session_refresh
from tokens.services.signin import (
    Credential,
    IpLimitedCredential,
    IssuedTokens,
    SignInRefused,
    SignInStage,
    UserQuery,
    password_sign_in,
    session_authenticated,
    session_start,
    sign_in,
    sign_in_complete,
    sign_in_stage_add,
)

__all__ = [
    "Credential",
    "IpLimitedCredential",
    "IssuedTokens",
    "SignInRefused",
    "SignInStage",
    "UserQuery",
    "password_sign_in",
    "session_authenticated",
    "session_logout",
    "session_refresh",
    "session_revoke",
    "session_start",
    "sessions_delete_stale",
    "sessions_end_all",
    "sessions_end_everyone",
    "sign_in",
    "sign_in_complete",
    "sign_in_stage_add",
]
