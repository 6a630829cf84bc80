"""Information banners (webinar 004: "Fermeture exceptionnelle", "Mise en maintenance") that agents publish in the
admin, national or per Caf, on public and logged-in pages between their dates; and the maintenance mode (a French
503 "Service indisponible" with Retry-After, the admin still reachable by agents)."""

import datetime
import html

import pytest
from django.utils import timezone

from habilitations.journal import JournalEntry
from habilitations.models import Caf, InformationBanner
from portal.banners import banners_reload
from tests.factories import UserFactory
from tests.portal.test_otp import enrol

pytestmark = pytest.mark.django_db

NOW = timezone.now
HOUR = datetime.timedelta(hours=1)


def page(response) -> str:
    return html.unescape(response.content.decode())


def split(moment: datetime.datetime, name: str) -> dict:
    local = timezone.localtime(moment)
    return {f"{name}_0": f"{local:%d/%m/%Y}", f"{name}_1": f"{local:%H:%M}"}


def banner_post(caf=None, titre="Fermeture exceptionnelle", debut=None, fin=None, **extra) -> dict:
    return {
        "caf": caf.pk if caf else "",
        "niveau": "INFO",
        "titre": titre,
        "message": "Le centre de services sera fermé le 24 décembre.",
        **split(debut or NOW() - HOUR, "debut"),
        **split(fin or NOW() + 24 * HOUR, "fin"),
        **extra,
    }


@pytest.fixture
def agent():
    return UserFactory(agent=True, nom="Agent", prenom="Local")  # Caf 061


@pytest.fixture
def agent_client(client, login, agent):
    enrol(client, login, agent)
    return client


def test_an_agent_publishes_a_banner_of_their_caf_shown_to_its_partners_only(
    agent_client, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post("/admin/habilitations/informationbanner/add/", banner_post(agent.caf))
    assert response.status_code == 302, page(response)[:3000]
    banner = InformationBanner.objects.get()
    assert (banner.caf, banner.published_by) == (agent.caf, agent)
    entry = JournalEntry.objects.get(event="ref.banner_published")
    assert entry.actor == agent and entry.data["caf"] == "061"

    from django.test import Client

    from tests.support.access import verified_client

    partner_061 = verified_client(UserFactory())  # Caf 061 by default
    assert "Fermeture exceptionnelle" in page(partner_061.get("/accueil/"))
    partner_831 = verified_client(UserFactory(caf=Caf.objects.get(code="831")))
    assert "Fermeture exceptionnelle" not in page(partner_831.get("/accueil/"))
    # A Caf's banner is for its logged-in partners: not on the public pages.
    assert "Fermeture exceptionnelle" not in page(Client().get("/"))


def test_a_national_banner_shows_on_public_and_logged_in_pages_between_its_dates(client):
    national = UserFactory(agent=True, is_superuser=True)
    create = InformationBanner.objects.create
    create(
        titre="Mise en maintenance de l'espace",
        message="Indisponible samedi.",
        fin=NOW() + HOUR,
        published_by=national,
    )
    create(titre="Pas encore", message="Demain.", debut=NOW() + HOUR, fin=NOW() + 2 * HOUR, published_by=national)
    create(titre="Déjà fini", message="Hier.", debut=NOW() - 2 * HOUR, fin=NOW() - HOUR, published_by=national)
    banners_reload()  # what the commit of an agent's publication does (portal.banners.banner_saved)
    shown = page(client.get("/"))
    assert "Mise en maintenance de l'espace" in shown and "information nationale" in shown
    assert "Pas encore" not in shown and "Déjà fini" not in shown
    assert "Mise en maintenance de l'espace" in page(client.get("/ma-caf/"))


def test_pages_never_query_the_banners(client, django_assert_num_queries):
    national = UserFactory(agent=True, is_superuser=True)
    InformationBanner.objects.create(titre="Info", message="Texte.", fin=NOW() + HOUR, published_by=national)
    banners_reload()
    with django_assert_num_queries(0):
        assert "Info" in page(client.get("/regles-d-usage/"))


def test_the_cache_lost_the_banners_come_back_at_the_next_login(client, login, user):
    from django.core.cache import cache

    national = UserFactory(agent=True, is_superuser=True)
    InformationBanner.objects.create(titre="Info du jour", message="Texte.", fin=NOW() + HOUR, published_by=national)
    cache.clear()  # Redis restarted
    assert "Info du jour" not in page(client.get("/"))
    login(user)
    assert "Info du jour" in page(client.get("/accueil/"))


def test_an_agent_cannot_publish_a_national_banner_nor_for_another_caf(agent_client):
    response = agent_client.post("/admin/habilitations/informationbanner/add/", banner_post(None))
    assert response.status_code == 200 and "Ce champ est obligatoire." in page(response)
    other = Caf.objects.get(code="831")
    response = agent_client.post("/admin/habilitations/informationbanner/add/", banner_post(other))
    assert response.status_code == 200 and "Vous ne pouvez agir que pour votre Caf." in page(response)
    assert not InformationBanner.objects.exists()


def test_the_end_must_follow_the_start(agent_client, agent):
    response = agent_client.post(
        "/admin/habilitations/informationbanner/add/",
        banner_post(agent.caf, debut=NOW() + HOUR, fin=NOW() - HOUR),
    )
    assert response.status_code == 200
    assert "La fin de l'affichage doit être postérieure à son début." in page(response)
    assert not InformationBanner.objects.exists()


def test_another_cafs_banner_is_not_found_and_a_national_one_is_read_only(agent_client):
    national = UserFactory(agent=True, is_superuser=True)
    other = InformationBanner.objects.create(
        caf=Caf.objects.get(code="831"), titre="Var", message="Texte.", fin=NOW() + HOUR, published_by=national
    )
    assert agent_client.get(f"/admin/habilitations/informationbanner/{other.pk}/change/").status_code == 302
    assert "Var" not in page(agent_client.get("/admin/habilitations/informationbanner/"))
    nat = InformationBanner.objects.create(
        titre="Nationale", message="Texte.", fin=NOW() + HOUR, published_by=national
    )
    response = agent_client.post(
        f"/admin/habilitations/informationbanner/{nat.pk}/change/", banner_post(None, titre="Changée")
    )
    assert response.status_code == 403
    nat.refresh_from_db()
    assert nat.titre == "Nationale"


def test_maintenance_answers_503_in_french_with_retry_after_and_lets_agents_in(client, login, agent, settings):
    settings.MAINTENANCE_MODE = True
    settings.MAINTENANCE_RETRY_AFTER = 1800
    response = client.get("/")
    assert response.status_code == 503 and response["Retry-After"] == "1800"
    assert "SERVICE INDISPONIBLE" in page(response) and "reconnecter ultérieurement" in page(response)
    partner = UserFactory()
    login(partner)
    assert client.get("/accueil/").status_code == 503
    client.post("/deconnexion/")
    # The way in stays open, and the agent reaches the admin and the portal.
    assert client.get("/connexion/").status_code == 200
    enrol(client, login, agent)
    assert client.get("/admin/").status_code == 200
    assert client.get("/accueil/").status_code == 200
    settings.MAINTENANCE_MODE = False
    client.post("/deconnexion/")
    assert _public_page_answers(client)


def _public_page_answers(client) -> bool:
    return client.get("/").status_code == 200


def test_banners_reload_keeps_only_those_not_ended():
    national = UserFactory(agent=True, is_superuser=True)
    InformationBanner.objects.create(titre="A", message="x", fin=NOW() + HOUR, published_by=national)
    InformationBanner.objects.create(
        titre="B", message="x", debut=NOW() - 2 * HOUR, fin=NOW() - HOUR, published_by=national
    )
    assert [b.titre for b in banners_reload()] == ["A"]
