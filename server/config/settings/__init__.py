"""Gatehouse settings, read from the environment, one module per integration.

`DJANGO_ENV=development` (the default) runs on embedded defaults: SQLite, the in-process
cache, the immediate task backend, emails to the console and a signing key generated on
first start under `var/`. `DJANGO_ENV=production` refuses to start until every variable it
needs is set, and names all of the missing ones at once: every module reads through the
one `env` of environment.py, which collects what is missing, and `env.check()` at the end
of this file raises once.

This file holds what Django itself needs (apps, middleware, templates, locale); the
modules below hold one integration each.
"""

# isort: off
# In this order, so that a production start names missing variables in the order they have
# always been named, and a later module may use an earlier one's values (FRONTEND_URL).
from config.settings.environment import *  # noqa: F403
from config.settings.security import *  # noqa: F403
from config.settings.database import *  # noqa: F403
from config.settings.cache import *  # noqa: F403
from config.settings.tasks import *  # noqa: F403
from config.settings.accounts import *  # noqa: F403
from config.settings.email import *  # noqa: F403
from config.settings.tokens import *  # noqa: F403
from config.settings.google import *  # noqa: F403
from config.settings.mfa import *  # noqa: F403
from config.settings.passkeys import *  # noqa: F403
from config.settings.payments import *  # noqa: F403
from config.settings.graphql import *  # noqa: F403
from config.settings.observability import *  # noqa: F403
from config.settings.securitylog import *  # noqa: F403
from config.settings.environment import BASE_DIR, VAR_DIR, env
# isort: on

# The domains: each has models, and its migrations under migrations/<app>/.
DOMAIN_APPS = (
    "accounts",
    "tokens",
    "social",
    "membership",
    "content",
    "securitylog",
    "passkeys",
    "mfa",
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "strawberry_django",
    "anymail",
    "django_tasks_db",
    "core",
    *DOMAIN_APPS,
    "observability",
    # Operator commands (revoke_sessions, worker_health): above the domains, which never
    # import it.
    "ops",
]

# Our own apps keep their migrations in the top-level migrations/ folder.
MIGRATION_MODULES = {app: f"migrations.{app}" for app in DOMAIN_APPS}

MIDDLEWARE = [
    # First: times the whole stack, tags every response with X-Request-ID, logs one line.
    "observability.middleware.RequestLogMiddleware",
    "config.https.HttpsRedirectMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Sessions, authentication and messages serve the admin alone (the API uses bearer
    # tokens): Django's own classes, passed by outside ADMIN_PATH (config/middleware.py).
    # CSRF runs everywhere (the GraphQL view is exempt and checks Origin itself).
    "config.middleware.AdminSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "config.middleware.AdminAuthenticationMiddleware",
    "config.middleware.AdminMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # api/templates: the GraphiQL page that loads its assets from this server.
        "DIRS": [BASE_DIR / "server" / "api" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

env.check()
