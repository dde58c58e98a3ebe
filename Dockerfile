# syntax=docker/dockerfile:1
# Images of the whole stack, built from this repository:
#   server (the default, last stage): the API under gunicorn (gunicorn.conf.py) and, with
#          another command, the email worker (`manage.py worker`) and migrations.
#   proxy: nginx serving the built web client and passing the API paths to the servers
#          (deploy/nginx/gatehouse.conf.template), terminating TLS with GATEHOUSE_TLS=on.
# Both run as non-root users. Python dependencies come only from uv.lock (--frozen).

# --- the web client: vite build output in /client/dist ------------------------------------
FROM node:22-slim AS client
WORKDIR /client
COPY frontend-client/package.json frontend-client/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend-client/ ./
# The GraphQL endpoint as the browser sees it: by default the same origin, through the
# proxy. Give a full URL only when the API is served from another origin.
ARG VITE_API_URL=/graphql/
ENV VITE_API_URL=${VITE_API_URL}
RUN npm run build

# --- Python dependencies, exactly as locked ---------------------------------------------
FROM python:3.12-slim AS builder
ENV UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project

# --- the reverse proxy and the web client -------------------------------------------------
FROM nginxinc/nginx-unprivileged:1.27-alpine AS proxy
USER root
RUN rm -f /etc/nginx/conf.d/default.conf
# Rendered at start into /etc/nginx/conf.d/: gatehouse.conf (included by nginx.conf) and
# gatehouse/tls-{on,off}.conf (in a subfolder, so only gatehouse.conf includes them).
COPY deploy/nginx/gatehouse.conf.template /etc/nginx/templates/gatehouse.conf.template
COPY deploy/nginx/tls-on.conf.template deploy/nginx/tls-off.conf.template /etc/nginx/templates/gatehouse/
COPY deploy/nginx/upstreams.conf /etc/nginx/gatehouse/upstreams.conf
COPY --from=client /client/dist /usr/share/nginx/html
USER nginx
# GATEHOUSE_TLS: off (TLS ends in front) or on (here, with the certificate and key below,
# which compose mounts from PROXY_TLS_DIR).
ENV GATEHOUSE_LISTEN=8080 \
    GATEHOUSE_UPSTREAMS=/etc/nginx/gatehouse/upstreams.conf \
    GATEHOUSE_WEB_ROOT=/usr/share/nginx/html \
    GATEHOUSE_TLS=off \
    GATEHOUSE_CONF_DIR=/etc/nginx/conf.d/gatehouse \
    GATEHOUSE_TLS_LISTEN=8443 \
    GATEHOUSE_TLS_CERTIFICATE=/etc/gatehouse/tls/fullchain.pem \
    GATEHOUSE_TLS_CERTIFICATE_KEY=/etc/gatehouse/tls/privkey.pem
EXPOSE 8080 8443

# --- the API server and the email worker ------------------------------------------------
FROM python:3.12-slim AS server
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH="/app/.venv/bin:$PATH"
WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app gatehouse \
    && mkdir -p /app/var && chown gatehouse /app/var
COPY --from=builder /app/.venv /app/.venv
COPY manage.py schema.graphql gunicorn.conf.py ./
COPY server ./server
COPY migrations ./migrations
USER gatehouse
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
