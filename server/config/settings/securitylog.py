"""The per-user security log: how long its events are kept."""

from __future__ import annotations

from config.settings.environment import env

# `manage.py prune_security_log` (cron, daily) deletes older events.
SECURITY_LOG_RETENTION_DAYS = env.int("SECURITY_LOG_RETENTION_DAYS", 365)
