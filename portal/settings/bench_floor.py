"""The benchmark floor: the bench settings without any middleware (a bare Django view reading one indexed row,
served by the same gunicorn setup)."""

from portal.settings.bench import *  # noqa: F403

MIDDLEWARE = []
