# Production image. One image, four roles (see README.md, "Production"):
#   web     docker run IMAGE                       (gunicorn helpdesk.wsgi on :8000, WEB_CONCURRENCY workers)
#   live    docker run -e CONN_MAX_AGE=0 IMAGE uvicorn helpdesk.asgi:application --host 0.0.0.0 --port 8001 \
#             --limit-concurrency 4000
#           (the tabs' live streams, /live/stream/, routed here by the load balancer)
#   worker  docker run IMAGE celery -A helpdesk worker --loglevel=info
#   beat    docker run IMAGE celery -A helpdesk beat --loglevel=info --schedule var/celerybeat-schedule
#   release docker run IMAGE python manage.py migrate --no-input
FROM python:3.13-slim

# PYTHONPATH: the code runs from /app, where templates/ and static/ sit beside the packages (settings
# find them from BASE_DIR); the copy that `pip install .` puts in site-packages is shadowed by it.
# STATIC_MANIFEST: hashed, compressed static files served by WhiteNoise (the collectstatic below).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    STATIC_MANIFEST=1

# A home of its own: gunicorn (>= 25.1) puts its control socket in ~/.gunicorn/.
RUN groupadd --system --gid 10001 helpdesk \
 && useradd --system --uid 10001 --gid helpdesk --create-home --home-dir /home/helpdesk --shell /usr/sbin/nologin helpdesk

WORKDIR /app
COPY . .

# Runtime dependencies come from pyproject.toml (psycopg's binary wheel bundles libpq: no apt needed).
RUN pip install . \
 && rm -rf build ./*.egg-info

# Settings need a SECRET_KEY outside DEBUG; this one exists only for the build step. A non-filesystem
# broker URL keeps settings from creating var/celery-queue as root.
RUN SECRET_KEY=collectstatic-only CELERY_BROKER_URL=memory:// python manage.py collectstatic --no-input -v0 \
 && install -d -o helpdesk -g helpdesk /app/var

USER helpdesk
EXPOSE 8000
CMD ["gunicorn", "helpdesk.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
