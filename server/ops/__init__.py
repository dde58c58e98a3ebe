"""Operator tooling above the domains: management commands an operator runs by hand or from
a health check, and the tests of the deployment files (compose, Dockerfile, nginx, gunicorn).
No domain imports this package."""
