"""The demo: SQLite, local-memory cache, Celery eager, e-mails printed to the console. No server needed.

The demo answers like production (issue 10, finding 5): DEBUG off, so an unknown URL shows the portal's French 404
(not Django's debug page listing every URL pattern) and an error the French 500 page with its incident number,
with the same security headers. Tracebacks are on the console. WhiteNoise serves the static files from the
source folders, as in the tests. `DJANGO_DEBUG=1 make run` brings Django's debug pages back for a developer.
"""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
