"""Benchmarks (`make bench`): the production settings, read from the environment exactly as in production, plus
the bench URL configuration (the portal's URLs and the floor view `bench/floor/`). bench/run.py sets the
environment: secret, hosts, a dedicated database (mcp_bench) and Redis database (14). Requests are sent as if
behind the HTTPS proxy (X-Forwarded-Proto: https), so SSL redirect, HSTS and secure cookies stay as in production.
"""

from portal.settings.prod import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
