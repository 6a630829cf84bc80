"""Tests: real PostgreSQL and Redis, e-mails in the locmem outbox, a fast password hasher.

The Celery integration tests start a real worker with this module and override, through the environment,
the e-mail backend (a file backend the test reads) and eager mode.
"""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import CACHES, DATABASES, REDIS_CACHE_OPTIONS, env

DATABASES["default"] = env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/mcp")
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES["default"] = {
    "BACKEND": "portal.cache.RedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": "mcp-test",
    "OPTIONS": REDIS_CACHE_OPTIONS,
}
# The broker gets its own Redis database: tests clear the cache's database between tests.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/13")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default="/tmp/mcp-test-mails")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEBUG = False
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
