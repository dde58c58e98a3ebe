"""Test settings: real PostgreSQL and Redis, never an embedded fallback.

Each pytest process gets its own test database and Redis key prefix, so that parallel runs
(two developers, or CI beside a benchmark) never trample each other.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gatehouse")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("CACHE_KEY_PREFIX", f"ghtest{os.getpid()}")

from config.settings import *  # noqa: F403
from config.settings import DATABASES

DATABASES["default"]["TEST"] = {"NAME": f"test_gatehouse_{os.getpid()}"}
# Argon2 as in production, at the lowest cost, so that hundreds of logins stay fast.
PASSWORD_HASHERS = ["accounts.hashers.FastArgon2PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
