from django.apps import AppConfig


class FastPathConfig(AppConfig):
    """Everything that exists only for speed, behind one switch (FAST_PATH_ENABLED)."""

    name = "fastpath"

    def ready(self) -> None:
        # Invalidation of the cached rows, of remembered signature checks and of cached
        # content answers: connected whatever the switch says, and in every process (the
        # worker, manage.py), so that processes with it on never see stale data written by
        # processes with it off or by no web process at all.
        from fastpath import content_cache, user_snapshot, verifier  # noqa: F401  (receivers)
