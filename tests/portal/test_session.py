import datetime

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from habilitations.journal import Event, JournalEntry
from portal.sessions import SessionStore

pytestmark = pytest.mark.django_db

MIN = datetime.timedelta(minutes=1)


def test_idle_expiry_after_thirty_minutes_without_a_request(client, login, user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(user)
        traveller.shift(29 * MIN + datetime.timedelta(seconds=59))
        assert client.get("/accueil/").status_code == 200  # activity: the 30 minutes start again
        traveller.shift(29 * MIN + datetime.timedelta(seconds=59))
        assert client.get("/mon-profil/").status_code == 200
        traveller.shift(30 * MIN + datetime.timedelta(seconds=1))
        response = client.get("/accueil/")
    assert response.status_code == 302 and response["Location"] == "/connexion/?raison=inactivite"
    page = client.get(response["Location"]).content.decode()
    assert "30 minutes sans activité" in page
    assert client.get("/accueil/").status_code == 302
    assert JournalEntry.objects.filter(event=Event.SESSION_EXPIRED, user=user, data__reason="inactivite").exists()


def test_absolute_expiry_after_twelve_hours_even_with_activity(client, login, user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(user)
        for _ in range(35):  # 11 h 40 of requests every 20 minutes
            traveller.shift(20 * MIN)
            assert client.get("/accueil/").status_code == 200
        traveller.shift(20 * MIN + datetime.timedelta(seconds=1))  # 12 h 00 01
        response = client.get("/accueil/")
    assert response["Location"] == "/connexion/?raison=duree"
    assert "12 heures" in client.get(response["Location"]).content.decode()


def test_prolonger_ma_session_counts_as_activity(client, login, user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(user)
        traveller.shift(28 * MIN)
        response = client.post("/session/prolonger/", HTTP_HX_REQUEST="true")
        assert response.status_code == 204
        traveller.shift(28 * MIN)
        assert client.get("/accueil/").status_code == 200


def test_pages_carry_the_session_timers_for_the_warning(client, login, user):
    login(user)
    content = client.get("/accueil/").content.decode()
    assert 'data-session-idle="1800"' in content and 'data-session-warning="120"' in content
    assert "Prolonger ma session" in content


def test_sessions_are_stored_in_the_database_behind_the_cache(client, login, user, settings):
    """The session a login opens is a database row, with a copy in Redis in front; Redis losing it (a restart, an
    eviction) logs nobody out: the next request reads the row and puts the copy back."""
    login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert int(Session.objects.get(session_key=key).get_decoded()[SESSION_KEY]) == user.pk
    cache_key = SessionStore(key).cache_key
    assert int(cache.get(cache_key)[SESSION_KEY]) == user.pk
    cache.clear()
    assert client.get("/accueil/").status_code == 200
    assert int(cache.get(cache_key)[SESSION_KEY]) == user.pk
