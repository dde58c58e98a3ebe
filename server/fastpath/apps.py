from django.apps import AppConfig


class FastPathConfig(AppConfig):
    """Everything that exists only for speed, behind one switch (FAST_PATH_ENABLED)."""

    name = "fastpath"
