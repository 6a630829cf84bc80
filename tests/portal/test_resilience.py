"""With Redis down, people still log in and browse: sessions live in the database, rate limits fail open. With the
broker down, every write that e-mails answers its success page and the e-mail waits in the outbox. A frozen Redis
costs a request a bounded wait."""

import re
import time

import pytest
from captcha.models import CaptchaStore
from django.core import mail

from core.mail.delivery import email_sweep
from core.mail.models import OutgoingEmail
from habilitations.models import User
from tests.factories import TEST_PASSWORD, UserFactory
from tests.habilitations.test_conventions_views import World, manager_client
from tests.habilitations.test_users_views import create_url, valid_post
from tests.support.brokers import closed_port, frozen_redis, publishing

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


def test_a_forgotten_password_asked_without_redis_sends_a_working_provisional_password(
    client, redis_down, django_capture_on_commit_callbacks
):
    """The captcha lives in the database and the rate limits fail open: the request goes through to the e-mail."""
    user = UserFactory(email="connue@partenaire.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/mot-de-passe-oublie/", forgotten_password_form(client, user.email), follow=True)
    assert response.redirect_chain == [("/mot-de-passe-oublie/envoye/", 302)]
    (message,) = mail.outbox
    password = re.search(r"mot de passe provisoire pour Mon Compte Partenaire : (\S+)", message.body).group(1)
    assert message.to == [user.email] and User.objects.get(pk=user.pk).check_password(password)


# --- The broker unreachable: every write that e-mails is answered with its success page (issue 19) -----------------


@pytest.fixture
def broker_down():
    with publishing(broker_url=f"redis://127.0.0.1:{closed_port()}/0"):
        yield


def forgotten_password_form(client, email: str) -> dict:
    """The form as a user fills it, captcha answered (read from its store)."""
    page = client.get("/mot-de-passe-oublie/").content.decode()
    key = re.search(r'name="captcha_0" value="([^"]+)"', page).group(1)
    return {"email": email, "captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).challenge}


def delivered_by_the_sweep(user) -> list:
    """The user's e-mails are pending; the sweep (the broker back, or beat's next run) sends them."""
    pending = OutgoingEmail.objects.filter(user=user, sent_at__isnull=True, attempts=0)
    kinds = sorted(pending.values_list("kind", flat=True))
    assert email_sweep() == len(kinds) and not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()
    return kinds


@pytest.mark.django_db(transaction=True)
def test_a_user_created_while_the_broker_is_down_gets_the_success_page_and_the_emails_later(broker_down, caplog):
    world = World()
    client = manager_client(world.admin)
    response = client.post(create_url(world.convention), valid_post(), follow=True)
    user = User.objects.get(email="x.lagare@partenaires.fr")
    assert f"({user.identifiant}) a été créé ; il reçoit son identifiant" in response.content.decode()
    assert "the broker did not take its delivery task" in caplog.text
    assert delivered_by_the_sweep(user) == ["identifiant", "provisional_password"]
    (password_mail,) = (m for m in mail.outbox if "mot de passe provisoire" in m.subject)
    password = re.search(r"mot de passe provisoire pour Mon Compte Partenaire : (\S+)", password_mail.body).group(1)
    assert User.objects.get(pk=user.pk).check_password(password)


@pytest.mark.django_db(transaction=True)
def test_a_forgotten_password_asked_while_the_broker_is_down_gets_the_success_page(client, broker_down):
    user = UserFactory(email="connue@partenaire.example")
    response = client.post("/mot-de-passe-oublie/", forgotten_password_form(client, user.email), follow=True)
    assert response.redirect_chain == [("/mot-de-passe-oublie/envoye/", 302)]
    assert delivered_by_the_sweep(user) == ["provisional_password"]


@pytest.mark.django_db(transaction=True)
def test_an_identifiant_resent_while_the_broker_is_down_gets_the_success_message(broker_down):
    world = World()
    response = manager_client(world.admin).post(
        f"/gestion-des-habilitations/utilisateurs/{world.t1_member.pk}/renvoi-identifiant/", follow=True
    )
    assert f"L&#x27;identifiant a été renvoyé à l&#x27;adresse {world.t1_member.email}." in response.content.decode()
    assert delivered_by_the_sweep(world.t1_member) == ["identifiant"]


# --- A frozen Redis (connections accepted, never answered): every wait is bounded (issue 19) ------------------------

BOUND = 5  # seconds; a request pays one REDIS_SOCKET_TIMEOUT (1 s) per use of Redis: the cache once, the broker once


@pytest.fixture
def redis_frozen(settings):
    with frozen_redis() as url:
        settings.CACHES = {
            "default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": url, "OPTIONS": settings.REDIS_CACHE_OPTIONS}
        }
        with publishing(broker_url=url):
            yield


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


def test_a_logged_in_page_answers_within_the_bound_while_redis_is_frozen(client, user, login, request):
    login(user)
    request.getfixturevalue("redis_frozen")
    response, elapsed = timed(lambda: client.get("/accueil/"))
    assert response.status_code == 200 and elapsed < BOUND, elapsed
    response, elapsed = timed(lambda: client.get("/mon-profil/"))
    assert response.status_code == 200 and elapsed < 1, elapsed  # Redis counted as down: not even one timeout


@pytest.mark.django_db(transaction=True)
def test_a_forgotten_password_answers_its_success_page_within_the_bound_while_redis_is_frozen(client, request):
    user = UserFactory(email="connue@partenaire.example")
    form = forgotten_password_form(client, user.email)
    request.getfixturevalue("redis_frozen")
    response, elapsed = timed(lambda: client.post("/mot-de-passe-oublie/", form))
    assert response["Location"] == "/mot-de-passe-oublie/envoye/" and elapsed < BOUND, elapsed
    assert OutgoingEmail.objects.get(user=user, kind="provisional_password").sent_at is None
