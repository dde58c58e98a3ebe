import os
import sys
from pathlib import Path

_root = Path(__file__).resolve().parents[2]
sys.path[:0] = [p for p in (str(_root / "server"), str(_root)) if p not in sys.path]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

from observability import tracing  # noqa: E402

# Before the handler loads MIDDLEWARE, which the Django instrumentation adds to; a settings
# read and nothing else unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
tracing.start()
application = get_wsgi_application()
