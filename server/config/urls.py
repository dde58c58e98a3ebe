from django.conf import settings
from django.contrib import admin
from django.urls import path

from api.graphiql import graphiql_asset
from api.health import healthz, readyz
from config.schema import schema
from config.views import GatehouseGraphQLView, bad_request
from membership.webhooks import stripe_webhook
from observability.views import metrics
from tokens.views import jwks

graphql_view = GatehouseGraphQLView.as_view(
    schema=schema,
    graphql_ide="graphiql" if settings.GRAPHQL_GRAPHIQL else None,
    allow_queries_via_get=True,
)

urlpatterns = [
    path("graphql/", graphql_view, name="graphql"),
    # Served as is, not redirected: a redirected POST loses its body in most clients.
    path("graphql", graphql_view),
    path("graphiql/assets/<str:name>", graphiql_asset, name="graphiql-asset"),
    path(".well-known/jwks.json", jwks, name="jwks"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("webhooks/stripe/", stripe_webhook, name="stripe-webhook"),
]
if settings.ADMIN_ENABLED:
    urlpatterns.append(path(settings.ADMIN_PATH, admin.site.urls))

# A Host outside ALLOWED_HOSTS on /graphql/ is refused in GraphQL's error shape.
handler400 = bad_request
