"""A fixed-window counter in the cache, shared by the rate limits of the apps (an app may import core only)."""

from django.core.cache import cache


def hourly_limit_exceeded(key: str, limit: int) -> bool:
    """Count one more attempt under `key` in the current hour (the window starts at the first attempt) and say
    whether it goes beyond `limit`. A cache outage never blocks the user: the attempt is let through."""
    try:
        cache.add(key, 0, timeout=3600)
        return cache.incr(key) > limit
    except Exception:  # noqa: BLE001 — Redis down: let the request through rather than fail
        return False
