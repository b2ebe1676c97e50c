"""Settings, all read from the environment (django-environ); `.env` is read when it exists."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ  # type: ignore[import-untyped]  # django-environ ships no type information
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # local state of `make run`: SQLite file, filesystem broker

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "anymail",
    "ninja",  # so that the API's docs page serves Swagger UI from our static files, not from a CDN
    "helpdesk",
    "inbox",
    "tickets",
    "workflows",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files keep their long-lived caching; every other response is private, no-store.
    "helpdesk.middleware.PrivatePagesMiddleware",
    # The API's token, rate limit and idempotency keys, before anything else reads the request (/api/ only).
    "helpdesk.api_middleware.ApiMiddleware",
    # Before the session middleware, so that it sees every header and cookie of the response (inbox/embed.py).
    "inbox.embed.MessengerFramingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a sign-in refused for a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["helpdesk.templatetags.moments", "helpdesk.templatetags.icons"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "helpdesk.http.live_page",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: web, worker and beat share one file, so wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side parameters, so that psycopg prepares a query run five times on a connection: planning the
    # ticket pane's six-table join took 2 ms of each request, its execution 0.3 ms (bench/). Off for a pooler
    # in transaction mode (PgBouncer without max_prepared_statements), which cannot keep prepared statements.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "inbox.Teammate"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# AxesBackend first: it refuses a locked-out user or address before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files attached to messages, replies and notes (inbox/attachments.py). Never publicly served: no MEDIA_URL route and
# not under static; the views hand a file out only after checking who asks (inbox.selectors, tickets.selectors).
# The filesystem under var/attachments/ by default; ATTACHMENTS_STORAGE=s3 stores them in an S3-compatible bucket
# (django-storages: AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL for MinIO or another provider, and the keys),
# private, with files never overwritten.
ATTACHMENTS_STORAGE = env.str("ATTACHMENTS_STORAGE", default="filesystem")
if ATTACHMENTS_STORAGE == "s3":
    _attachments_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "location": env.str("AWS_LOCATION", default="attachments"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif ATTACHMENTS_STORAGE == "filesystem":
    _attachments_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("ATTACHMENTS_DIR", default=VAR_DIR / "attachments")},
    }
else:
    raise ImproperlyConfigured(f"ATTACHMENTS_STORAGE must be 'filesystem' or 's3', not {ATTACHMENTS_STORAGE!r}.")
# Limits of what one message, reply or note may carry (inbox/attachments.py says which types).
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)  # each file
ATTACHMENT_MAX_TOTAL_BYTES = env.int("ATTACHMENT_MAX_TOTAL_BYTES", default=25 * 1024 * 1024)  # all of them
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=10)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "attachments": _attachments_storage,
    "staticfiles": {
        # Hashed names need `collectstatic`, which the production image runs; development serves files as they are.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# How long a contact's signed messenger link stays valid; the session it opens ends when the link would.
MESSENGER_LINK_MAX_AGE = timedelta(days=env.int("MESSENGER_LINK_MAX_AGE_DAYS", default=7))
# An address that opens this many bad, expired or revoked messenger links within the window gets a 429 until the
# window (counted from its first bad link) is over.
MESSENGER_LINK_FAILURE_LIMIT = env.int("MESSENGER_LINK_FAILURE_LIMIT", default=10)
MESSENGER_LINK_FAILURE_WINDOW = timedelta(minutes=env.int("MESSENGER_LINK_FAILURE_WINDOW_MINUTES", default=15))
# A contact with no messenger page open for this long is away: a teammate's reply in a messenger conversation is
# then emailed to them too (inbox.mail.handlers). An open page polls every few seconds and its contact's last_seen_at
# is written at most once a minute, so anything under about 90 seconds would call a reader away.
MESSENGER_AWAY_AFTER = timedelta(seconds=env.int("MESSENGER_AWAY_AFTER_SECONDS", default=180))

# The messenger on the company's website (inbox/embed.py; its origins, secret and verification are edited in the
# admin, "Messenger installation"). How long a visitor's cookie remembers their lead contact.
MESSENGER_LEAD_COOKIE_MAX_AGE = timedelta(days=env.int("MESSENGER_LEAD_COOKIE_MAX_AGE_DAYS", default=180))

# Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT failed sign-ins for one username, or from one address,
# that username or address is refused for LOGIN_COOLOFF_MINUTES after its last failure, or until an admin deletes
# its access attempt in the admin (Axes > Access attempts). Attempts are rows in the database, so every web process
# sees them.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True  # a teammate who mistyped a few times and then got in starts again from zero
AXES_LOCKOUT_CALLABLE = "helpdesk.views.locked_out"  # the login page with the reason, status 429
AXES_CLIENT_IP_CALLABLE = "helpdesk.http.client_address"
AXES_VERBOSE = False  # no banner in every manage.py command and Celery process; failures are still logged
# How many proxies of our own stand before the web processes and append to X-Forwarded-For (0: none, the client's
# address is the connection's). Behind one, every request would otherwise come from the proxy's address, and one
# address's lockout would lock everybody out.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# A cache in the database, shared by every web process (a per-process cache would multiply the messenger's link
# limit by the number of processes) and without another server; its table is made by migration helpdesk 0003.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "helpdesk_cache",
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }
}
# The site's public address (scheme, host, port; no path, no trailing slash), for absolute links made outside a
# request: the demo link `seed_demo` prints, the messenger link a teammate copies for a customer. By default the
# address `make run` serves on, PORT included, so that the printed link works whatever the port.
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}").rstrip("/")

# Content-Security-Policy: nothing from another host, no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Behind TLS in production (HTTPS=1): secure cookies, redirects and HSTS.
HTTPS = env.bool("HTTPS", default=False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is the domain owner's decision (README, "Production"); off is a choice, not an oversight.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_HTTPONLY = True
# A frame on another site gets only `SameSite=None; Secure` cookies, so the website messenger's frame sets its session,
# CSRF and lead cookies so (and `Partitioned`: a jar per website, apart from the help desk's own tabs). Secure cookies
# need HTTPS, hence the default; without it the messenger can be framed only by pages of the same site (the same
# host on another port, a subdomain), whose frames get the ordinary Lax cookies.
MESSENGER_EMBED_CROSS_SITE_COOKIES = env.bool("MESSENGER_EMBED_CROSS_SITE_COOKIES", default=HTTPS)

# Celery. Without CELERY_BROKER_URL the worker and beat use kombu's filesystem transport in a folder
# (var/celery-queue/ unless CELERY_QUEUE_DIR says otherwise), so `make run` needs no server; production
# points it at Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's transport with its files written atomically: stock kombu 5.7 lets the worker read a message
    # file before its writer has filled it, and the worker dies of a JSONDecodeError (helpdesk/broker.py).
    CELERY_BROKER_TRANSPORT = "helpdesk.broker:Transport"
    _queue_dir = BASE_DIR / env.str("CELERY_QUEUE_DIR", default="var/celery-queue")  # relative to the repository
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_queue_dir / "control"),  # default: ./control, wherever the process started
        # The worker looks for new files this often (default: every second), and also sleeps this long each time
        # its prefetch window (one task per process) is full: at 0.1 s it took at most ~16 tasks a second
        # (tests/helpdesk/test_embedded_broker.py). Idle, 0.01 s costs about 2 % of one core.
        "polling_interval": 0.01,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A task whose worker was killed before acking is redelivered after this long; the outbox
        # sweep re-enqueues sooner, and the dispatch is idempotent either way.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A broker outage must not hang a request: the publish gives up quickly and the outbox sweep retries.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TASK_IGNORE_RESULT = True
# Celery's Django fixup closes the database connections before and after every task unless this is set: a
# new PostgreSQL connection per task was most of the worker's cost (bench/). helpdesk/celery.py recycles them
# as Django does between requests instead (CONN_MAX_AGE, CONN_HEALTH_CHECKS).
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "helpdesk.tasks.sweep_outbox", "schedule": timedelta(seconds=30)},
    "wake-snoozed-conversations": {
        "task": "inbox.tasks.wake_snoozed_conversations",
        "schedule": timedelta(seconds=30),
    },
    "run-timed-workflows": {"task": "workflows.tasks.run_timed_workflows", "schedule": timedelta(seconds=60)},
    "retry-due-emails": {"task": "inbox.tasks.retry_due_emails", "schedule": timedelta(seconds=30)},
    "retry-due-webhooks": {"task": "helpdesk.tasks.retry_due_webhooks", "schedule": timedelta(seconds=30)},
    "purge-idempotency-keys": {"task": "helpdesk.tasks.purge_idempotency_keys", "schedule": timedelta(hours=1)},
    "check-response-targets": {"task": "tickets.tasks.check_response_targets", "schedule": timedelta(seconds=60)},
    "send-notification-digests": {"task": "helpdesk.tasks.send_notification_digests", "schedule": timedelta(minutes=5)},
}
# Live updates (helpdesk/live.py): pushed through this Redis (default: the broker's, when it is Redis) to the tabs'
# server-sent-events streams; without it, tabs poll. Its keys and channel start with LIVE_PREFIX, by default named
# after the Redis database, so that two test runs on one Redis never hear each other.
LIVE_REDIS_URL = env.str(
    "LIVE_REDIS_URL", default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
LIVE_PREFIX = env.str("LIVE_PREFIX", default="live:" + (urlsplit(LIVE_REDIS_URL).path.strip("/") or "0"))
# How long a tab's stream lasts before the browser opens it again (so that access is checked again, and the tabs
# spread over the web processes again after one restarts).
LIVE_STREAM_SECONDS = env.float("LIVE_STREAM_SECONDS", default=300.0)
# Without push, how often a tab asks whether what it shows changed.
LIVE_POLL_SECONDS = env.float("LIVE_POLL_SECONDS", default=2.0)

# How many other pending outbox events a task applies with its own (helpdesk/outbox.py, apply_events).
OUTBOX_BATCH = env.int("OUTBOX_BATCH", default=100)
# An outbox event still pending this long after it was written is re-enqueued by the sweep.
# A response target (tickets/targets.py) this close to being missed notifies its ticket's assignee.
RESPONSE_TARGET_WARNING = timedelta(minutes=env.int("RESPONSE_TARGET_WARNING_MINUTES", default=60))
OUTBOX_SWEEP_AFTER = timedelta(seconds=env.int("OUTBOX_SWEEP_AFTER_SECONDS", default=60))

# Webhooks (helpdesk/webhooks.py): each attempt waits this long for an answer; a failed one is tried again after
# WEBHOOK_RETRY_BASE, doubling, until WEBHOOK_RETRY_FOR after the event; an endpoint failing for WEBHOOK_DISABLE_AFTER
# is disabled.
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_RETRY_BASE = timedelta(seconds=env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30))
WEBHOOK_RETRY_FOR = timedelta(hours=env.int("WEBHOOK_RETRY_HOURS", default=24))
WEBHOOK_DISABLE_AFTER = timedelta(hours=env.int("WEBHOOK_DISABLE_AFTER_HOURS", default=72))

# Email (inbox/mail/). Replies to a conversation go to `reply+<token>@MAIL_DOMAIN`; SUPPORT_EMAIL is where customers
# write first. `make run` listens for SMTP on 127.0.0.1:SMTP_PORT (`manage.py serve_smtp`).
MAIL_DOMAIN = env.str("MAIL_DOMAIN", default="helpdesk.localhost")
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default=f"support@{MAIL_DOMAIN}")
# The help desk as customers know it: the From name of every email to them, and the name their footer signs with.
MAIL_FROM_NAME = env.str("MAIL_FROM_NAME", default="Support")
SMTP_HOST = env.str("SMTP_HOST", default="127.0.0.1")
SMTP_PORT = env.int("SMTP_PORT", default=2525)
# A message larger than this is refused at the SMTP dialogue (552) and by the webhooks (413): 25 MB as most providers.
MAIL_MAX_BYTES = env.int("MAIL_MAX_BYTES", default=25 * 1024 * 1024)
# More messages than this from one sender within the window are stored but open nothing (a flood, a loop).
MAIL_FLOOD_LIMIT = env.int("MAIL_FLOOD_LIMIT", default=20)
MAIL_FLOOD_WINDOW = timedelta(minutes=env.int("MAIL_FLOOD_WINDOW_MINUTES", default=60))
# An IMAP mailbox polled by Celery beat, for teams without a provider's inbound webhook (inbox/mail/imap.py).
IMAP_HOST = env.str("IMAP_HOST", default="")
IMAP_PORT = env.int("IMAP_PORT", default=993)
IMAP_SSL = env.bool("IMAP_SSL", default=True)
IMAP_USER = env.str("IMAP_USER", default="")
IMAP_PASSWORD = env.str("IMAP_PASSWORD", default="")
IMAP_FOLDER = env.str("IMAP_FOLDER", default="INBOX")
if IMAP_HOST:
    CELERY_BEAT_SCHEDULE["poll-mailbox"] = {
        "task": "inbox.tasks.poll_mailbox",
        "schedule": timedelta(seconds=env.int("IMAP_POLL_SECONDS", default=60)),
    }
# Sending: a provider through django-anymail (ANYMAIL_ESP=mailgun|postmark|sendgrid and its ANYMAIL settings), an
# SMTP relay (EMAIL_HOST), or else a maildir under var/mail that `make run`'s README section shows how to read.
ANYMAIL_ESP = env.str("ANYMAIL_ESP", default="")
# Also for inbound webhooks, whatever sends: e.g. {"MAILGUN_WEBHOOK_SIGNING_KEY": "...", "WEBHOOK_SECRET": "user:pass"}.
ANYMAIL = env.json("ANYMAIL", default={})
MAIL_SINK_DIR = Path(env.str("MAIL_SINK_DIR", default=str(VAR_DIR / "mail")))
MAILERS: dict[str, dict[str, object]]
if ANYMAIL_ESP:
    MAILERS = {"default": {"BACKEND": f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"}}
elif env.str("EMAIL_HOST", default=""):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env.str("EMAIL_HOST"),
                "port": env.int("EMAIL_PORT", default=25),
                "username": env.str("EMAIL_HOST_USER", default=""),
                "password": env.str("EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env.bool("EMAIL_USE_TLS", default=False),
                "timeout": env.int("EMAIL_TIMEOUT", default=10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "inbox.mail.sink.MaildirBackend"}}
DEFAULT_FROM_EMAIL = SUPPORT_EMAIL
# A failed send is tried again after 30 s, 1 min, 2 min, ... up to this many attempts, then shown as failed.
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=8)
EMAIL_RETRY_BASE = timedelta(seconds=env.int("EMAIL_RETRY_BASE_SECONDS", default=30))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own logger has a console handler of its own; without this each line prints twice.
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        # django-axes tells every step of each failed sign-in at INFO; its warnings (failures, lockouts) are enough.
        "axes": {"level": "WARNING"},
    },
}
