"""With Redis down, people still log in and browse: sessions live in the database, rate limits fail open."""

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }


def test_login_and_pages_work_without_redis(client, user, redis_down):
    response = client.post("/connexion/", {"username": user.identifiant, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/accueil/").status_code == 200
    assert client.get("/mon-profil/").status_code == 200


def test_forgotten_password_page_works_without_redis(client, redis_down):
    assert client.get("/mot-de-passe-oublie/").status_code == 200
