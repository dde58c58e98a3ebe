"""Where the GraphQL endpoint is served: `/graphql/`, and `/graphql` the same (a redirected
POST loses its body in most clients). config/urls.py routes both; the refresh cookie's path
is the first."""

GRAPHQL_PATH = "/graphql/"
GRAPHQL_PATHS = frozenset({GRAPHQL_PATH, "/graphql"})
