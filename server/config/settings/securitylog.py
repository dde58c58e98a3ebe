"""The per-user security log: how long its events are kept."""

from __future__ import annotations

from datetime import timedelta

from config.settings.environment import env

# `manage.py prune_security_log` (cron, daily) deletes older events.
SECURITY_LOG_RETENTION_DAYS = env.int("SECURITY_LOG_RETENTION_DAYS", 365)
# How long the "this wasn't me" link of a security email (a new device, a second factor
# added) works.
SECURITY_NOTICE_LINK_LIFETIME = env.duration("SECURITY_NOTICE_LINK_LIFETIME", timedelta(days=7))
