"""Sessions in PostgreSQL with Redis in front, where a Redis outage logs nobody out.

Django's cached_db store already tolerates cache errors when loading and saving, but not in `exists()`
(called at every login to pick a new key), nor when re-filling the cache or deleting: those raise and
would turn a cache outage into failed logins.
"""

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 — cache down or invalid key: read the database
            data = None
        if data is not None:
            return data
        s = self._get_session_from_db()
        if not s:
            return {}
        data = self.decode(s.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=s.expire_date))
        except Exception:  # noqa: BLE001
            logger.warning("Session cache unavailable: session read from the database only")
        return data

    def exists(self, session_key):
        if not session_key:
            return False
        try:
            if (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:  # noqa: BLE001
            logger.warning("Session cache unavailable: checking the database only")
        return cached_db.DBStore.exists(self, session_key)

    def delete(self, session_key=None):
        cached_db.DBStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:  # noqa: BLE001
            logger.error("Session cache unavailable: a deleted session may remain cached until it expires")
