# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 app

WORKDIR /app
# The runtime lock: every package at one version, checked against its hashes.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY --chown=app:app . .
# collectstatic needs settings that pass the production checks; these throwaway values never
# reach a running container.
RUN DEBUG=false SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64 | tr -d '/+=') \
    ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media && chown -R app:app /app/var

USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
