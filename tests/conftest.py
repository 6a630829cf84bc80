import pytest
from django.core.cache import cache

from habilitations.reference import load_all
from portal.faq_data import load_faq
from tests.factories import TEST_PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _clean_cache():
    """Redis is shared by the whole run: every test starts with an empty cache (rate limits, sessions)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests truncate every table, data migrations' rows included: put the reference data back."""
    marker = request.node.get_closest_marker("django_db")
    if (
        "live_server" in request.fixturenames
        or "transactional_db" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction"))
    ):
        request.getfixturevalue("transactional_db")
        load_all()
        from portal.models import FaqEntry

        load_faq(FaqEntry)


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def login(client):
    """Log a user in through the real login form (journal, session timers and all)."""

    def _login(user, password=TEST_PASSWORD, c=None):
        c = c or client
        response = c.post("/connexion/", {"username": user.identifiant, "password": password})
        assert response.status_code == 302, response.content.decode()[:2000]
        return response

    return _login
