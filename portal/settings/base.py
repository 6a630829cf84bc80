"""Settings shared by every environment. Everything secret or host-specific comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-dev-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz")
# Previous keys, still accepted while their signatures and the outbox's encrypted secrets (core.mail) live on.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "captcha",
    "csp",
    "django_htmx",
    "guardian",
    "core",
    "habilitations",
    "portal",
    "cdap",
    "afas",
    "bailleur",
    "adonis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.IncidentMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # No LocaleMiddleware: the portal speaks French only (LANGUAGE_CODE), and it costs ~65 µs a request.
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, whose check reads the body: bodies bounded before they are read (core.uploads).
    "portal.middleware.RequestBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "habilitations.access.middleware.AccessContextMiddleware",
    "portal.middleware.SessionExpiryMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "portal.middleware.AccountStateMiddleware",
    "portal.middleware.MaintenanceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.NoStoreForAuthenticatedMiddleware",
    # Axes last: it turns a lockout into our French response.
    "axes.middleware.AxesMiddleware",
]

# Maintenance (issue 21.13): the partners get the French 503 "Service indisponible" with Retry-After (seconds); the
# Caf's agents keep the portal and its administration. Announce it beforehand with a national banner (admin).
MAINTENANCE_MODE = env.bool("MAINTENANCE_MODE", default=False)
MAINTENANCE_RETRY_AFTER = env.int("MAINTENANCE_RETRY_AFTER", default=3600)

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "portal.context_processors.portal",
            ],
        },
    },
]

# Request bodies (core.uploads, checked on the Content-Length before a byte is read): a view takes a file only if
# it says so (@accepts_upload), in a body of at most UPLOAD_MAX_REQUEST_SIZE, the proxy's `client_max_body_size 6m`
# (deploy/nginx/mcp.conf.template: keep the two equal): the bulk import's 5 MB file and its multipart envelope. Every
# other body is at most DATA_UPLOAD_MAX_MEMORY_SIZE (the largest form without a file, a Dialogue message of 5 000
# characters, is a few kB).
UPLOAD_MAX_REQUEST_SIZE = 6 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# The import reads its whole file anyway: kept in memory, never spooled to disk.
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_REQUEST_SIZE
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 1

# Widgets render through TEMPLATES, so templates/ can override a library's widget (the captcha image's alt text).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Psycopg 3 connection pool: no new connection per request in steady state.
    # One connection per process: gunicorn's sync workers (and Celery's prefork children) run one request at a time
    # in one thread, so they never use two. It is also what makes a PostgreSQL restart painless: CONN_HEALTH_CHECKS
    # has the pool check a connection before handing it out, but it then retries the next idle one with a backoff
    # of 0, 1, 2, 4… s. A pool left with 3 dead connections (min 2, plus the one it grows by when the first request
    # arrives before the pool is filled) stalled the first request after a restart 3 s; with 5 (min 4) it gave up
    # after the 10 s timeout: a 500 (tests/portal/test_database_restart.py). Raise these only for threaded workers.
    DATABASES["default"].setdefault("OPTIONS", {})
    if env.bool("DATABASE_POOL", default=True):
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=1),
            "max_size": env.int("DATABASE_POOL_MAX", default=1),
            "timeout": 10,
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
# Every wait on Redis (cache, sessions, the broker's publish) is bounded: a frozen Redis (accepting connections, never
# answering) costs a request about this, once, and the cache then counts as down for REDIS_DOWN_FOR seconds
# (portal.cache): sessions fall back to the database, rate limits let requests through, e-mails wait in the outbox.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=1.0)
REDIS_DOWN_FOR = env.float("REDIS_DOWN_FOR", default=10.0)
REDIS_CACHE_OPTIONS = {"socket_timeout": REDIS_SOCKET_TIMEOUT, "socket_connect_timeout": REDIS_SOCKET_TIMEOUT}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mcp",
            "TIMEOUT": 300,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "habilitations.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "habilitations.backends.IdentifiantBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=8)
PASSWORD_MAX_LENGTH = env.int("PASSWORD_MAX_LENGTH", default=32)
PASSWORD_HISTORY_SIZE = env.int("PASSWORD_HISTORY_SIZE", default=5)
PROVISIONAL_PASSWORD_VALIDITY = timedelta(hours=24)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "habilitations.passwords.LengthValidator"},
    {"NAME": "habilitations.passwords.CharacterClassesValidator"},
    {"NAME": "habilitations.passwords.PersonalDataValidator"},
    {"NAME": "habilitations.passwords.HistoryValidator"},
    {"NAME": "habilitations.passwords.FrenchCommonPasswordValidator"},
]

# Sessions in the database with Redis in front: a Redis outage logs nobody out.
SESSION_ENGINE = "portal.sessions"
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
SESSION_WARNING_BEFORE = timedelta(minutes=2)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "mcp_session"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "portal.views.errors.csrf_failure"

# django-axes: lock the identifiant (never the address: a whole office shares one) after 5 failures.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "habilitations.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "portal.views.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# django-axes keeps a failed attempt's POST data, masking only "password" and these names: the password asked again
# before a profile change is such an attempt (portal.forms.CurrentPasswordForm), posted beside the new passwords.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "current_password", "new_password1", "new_password2"]
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0)

OTP_TOTP_ISSUER = "Mon Compte Partenaire"
OTP_TOTP_THROTTLE_FACTOR = 1
# Extends the second factor to every user who consults beneficiary data (see portal.md).
OTP_REQUIRED_FOR_ALL = env.bool("OTP_REQUIRED_FOR_ALL", default=False)

# Rate limits on "Mot de passe oublié ?" (per address and per e-mail), in requests per hour.
PASSWORD_RESET_RATE_PER_IP = env.int("PASSWORD_RESET_RATE_PER_IP", default=20)
PASSWORD_RESET_RATE_PER_EMAIL = env.int("PASSWORD_RESET_RATE_PER_EMAIL", default=3)

CAPTCHA_LENGTH = 6
CAPTCHA_FONT_SIZE = 32
CAPTCHA_IMAGE_SIZE = (180, 50)
CAPTCHA_CHALLENGE_FUNCT = "portal.captcha.mixed_case_challenge"
CAPTCHA_LETTER_ROTATION = (-20, 20)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Mon Compte Partenaire <ne-pas-repondre@moncomptepartenaire.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The outbox (core.mail): an attempt that fails waits EMAIL_RETRY_DELAY, doubled at each attempt up to
# EMAIL_RETRY_MAX_DELAY, then the row is "en échec" after EMAIL_MAX_ATTEMPTS (about 4 h of SMTP outage with these).
# The delay must exceed the longest send: EMAIL_TIMEOUT bounds each SMTP step.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
EMAIL_RETRY_DELAY = timedelta(seconds=env.float("EMAIL_RETRY_DELAY", default=60))
EMAIL_RETRY_MAX_DELAY = timedelta(hours=1)
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=10)
EMAIL_SWEEP_INTERVAL = env.float("EMAIL_SWEEP_INTERVAL", default=60)
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Two queues, and the worker command consumes both (README "Pannes et reprise"): the transactional queue (e-mails a
# person waits for: mot de passe oublié, identifiant, confirmation links, security notices; every other task) and the
# bulk queue (a bulk import, its e-mails, the reminders: portal.celery.BULK_TASKS), whose e-mails go out at most
# EMAIL_BULK_RATE_LIMIT per worker, plus EMAIL_BULK_SWEEP_LIMIT per sweep. A reset queued behind 10 000 bulk e-mails
# goes out at once (tests/portal/test_celery_worker.py).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="transactional")
CELERY_BULK_QUEUE = env("CELERY_BULK_QUEUE", default="bulk")
CELERY_TASK_ROUTES = ("portal.celery.route_task",)
EMAIL_BULK_RATE_LIMIT = env("EMAIL_BULK_RATE_LIMIT", default="10/s")
EMAIL_BULK_SWEEP_LIMIT = env.int("EMAIL_BULK_SWEEP_LIMIT", default=60)
# Every task is bounded, and the broker's visibility timeout is sized to the longest (README "Pannes et reprise"). A
# task is stopped at the soft limit (it records its failure: an import is "interrompu", nothing written; an e-mail
# attempt keeps its error for the sweep) and killed 30 s later. The longest is a 5 000-line import (about 90 s on 2
# vCPUs); an e-mail attempt takes at most a few EMAIL_TIMEOUT. Tasks are acknowledged late (acks_late, idempotent: an
# e-mail's claim, the import's claim and re-check, the reminders' keys; not the sweeps, core.mail.tasks), so a message
# whose worker died returns to its queue once unacknowledged for the visibility timeout, which must exceed the
# longest task (or a running task is handed to a second worker): 6 min, and consumers look every minute (kombu's
# default: every 100 s), where the default of one hour held a killed worker's messages that long.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# Publishing is bounded (REDIS_SOCKET_TIMEOUT per step, one retry): a request never waits long on the broker, and a
# task it could not publish is not lost, the sweep delivers the e-mail row (core.mail).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 60),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 6,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

# Security headers (production turns on HSTS and secure cookies).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request errors are logged by our 500 handler with an incident number, without the request body.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "axes": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every rendering at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# We lock by identifiant on purpose: a whole partner office shares one address (portal.md).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None

# Periodic tasks (celery beat). Imported here, at the end, to keep this block self-contained.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    # The outbox: every e-mail not yet sent whose next attempt has come (broker down when it was queued, SMTP
    # failure, worker killed mid-send).
    "portal-sweep-emails": {"task": "core.mail.tasks.sweep_emails", "schedule": EMAIL_SWEEP_INTERVAL},
    "portal-sweep-bulk-emails": {"task": "core.mail.tasks.sweep_bulk_emails", "schedule": EMAIL_SWEEP_INTERVAL},
    # Administrators learn, each morning, the memberships and users closing in 30 days (sent once a day).
    "habilitations-closing-reminders": {
        "task": "habilitations.tasks.closing_reminders_send",
        "schedule": crontab(hour=6, minute=30),
    },
    # On the 1st of each month, administrators learn the habilitations whose services were not used for 12 months.
    "habilitations-unused-reminders": {
        "task": "habilitations.tasks.unused_reminders_send",
        "schedule": crontab(day_of_month=1, hour=6, minute=45),
    },
}
