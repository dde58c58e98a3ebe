from django.apps import AppConfig


class FastPathConfig(AppConfig):
    """Everything that exists only for speed, behind one switch (FAST_PATH_ENABLED)."""

    name = "fastpath"

    def ready(self) -> None:
        # Invalidation of the cached rows and of remembered signature checks: connected
        # whatever the switch says, so that processes with it on never see stale data
        # written by processes with it off.
        from fastpath import user_snapshot, verifier  # noqa: F401  (connect the receivers)
