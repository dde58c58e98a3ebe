# The one image for both process types: the API server (gunicorn, sync workers) and the
# email worker (manage.py db_worker).
FROM python:3.12-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project
COPY manage.py schema.graphql ./
COPY server ./server
COPY migrations ./migrations
RUN useradd --system --uid 10001 gatehouse && mkdir -p /app/var && chown gatehouse /app/var
USER gatehouse
ENV PATH="/app/.venv/bin:$PATH"
EXPOSE 8000
CMD ["gunicorn", "--pythonpath", "server", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
