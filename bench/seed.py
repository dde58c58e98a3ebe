"""Seed the benchmark database: one user, a long-lived access token, N unused refresh tokens.

Run through `manage.py shell` by run_me_bench.py; writes into the folder in BENCH_OUT.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from django.utils import timezone

from accounts.models import User
from api.context import Caller
from tokens.models import AuthMethod, Session
from tokens.refresh import hash_token, new_refresh_token
from tokens.services import session_start

out = Path(os.environ["BENCH_OUT"])
count = int(os.environ.get("BENCH_REFRESH_TOKENS", "40000"))

user = User.objects.create_user("bench@example.com", "bench-password-123", email_verified=True)
issued = session_start(
    user=user,
    auth_method=AuthMethod.PASSWORD,
    caller=Caller(ip_address="127.0.0.1", user_agent="wrk"),
)
(out / "access_token.txt").write_text(issued.access_token)

now = timezone.now()
tokens: list[str] = []
sessions: list[Session] = []
for _ in range(count):
    session_id = uuid.uuid4()
    token = new_refresh_token(session_id)
    tokens.append(token)
    sessions.append(
        Session(
            id=session_id,
            user=user,
            created_at=now,
            last_used_at=now,
            rotated_at=now,
            user_agent="wrk",
            auth_method=AuthMethod.PASSWORD,
            token_hash=hash_token(token),
        )
    )
Session.objects.bulk_create(sessions, batch_size=5000)
(out / "refresh_tokens.txt").write_text("\n".join(tokens) + "\n")
print(f"seeded 1 user, {count + 1} sessions")
