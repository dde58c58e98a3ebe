import os
import sys
from pathlib import Path

_root = Path(__file__).resolve().parents[2]
sys.path[:0] = [p for p in (str(_root / "server"), str(_root)) if p not in sys.path]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
