import html

import pytest

from habilitations.models import Caf
from habilitations.selectors import department_for_postal_code

pytestmark = pytest.mark.django_db


def test_the_101_caf_are_loaded_by_the_data_migration():
    assert Caf.objects.count() == 101
    assert Caf.objects.get(code="061").nom == "Caf des Alpes-Maritimes"


@pytest.mark.parametrize(
    ("code", "department"),
    [
        ("06000", "06"),
        ("85470", "85"),
        ("20000", "2A"),
        ("20167", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("97400", "974"),
        ("97133", "971"),
        ("01000", "01"),
        ("20700", None),
        ("ABCDE", None),
        ("0600", None),
    ],
)
def test_postal_code_to_department(code, department):
    assert department_for_postal_code(code) == department


@pytest.mark.parametrize(
    ("code", "caf"),
    [
        ("06000", "Caf des Alpes-Maritimes"),
        ("20090", "Caf de la Corse-du-Sud"),
        ("20200", "Caf de la Haute-Corse"),
        ("97400", "Caf de La Réunion"),
        ("97600", "Caf de Mayotte"),
    ],
)
def test_ma_caf_finds_the_caf_and_its_local_page(client, code, caf):
    content = client.post("/ma-caf/", {"code_postal": code}).content.decode()
    assert caf in content
    assert 'id="resultat-caf"' in content and "contactmoncomptepartenaire@caf" in content


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ABCDE", "Un code postal compte 5 chiffres"),
        ("99999", "Aucune Caf ne correspond"),
        ("97500", "Aucune Caf ne correspond"),
        ("", "Saisissez un code postal."),
        ("060000", "Un code postal compte 5 chiffres"),
        ("06\x0000", "caractère non autorisé"),
    ],
)
def test_ma_caf_explains_a_bad_postal_code(client, code, message):
    response = client.post("/ma-caf/", {"code_postal": code})
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content and 'id="resultat-caf"' not in content


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("/", "Connaissez-vous Mon Compte Partenaire ?"),
        ("/regles-d-usage/", "RÈGLES D'USAGE"),
        ("/accessibilite/", "partiellement conforme"),
        ("/informatique-et-libertes/", "INFORMATIQUE ET LIBERTÉS"),
        ("/probleme-de-connexion/", "Quel est votre problème ?"),
        ("/bailleur/connexion/", "ESPACE BAILLEUR"),
        ("/connexion/", "loi Godfrain"),
    ],
)
def test_public_pages_answer_anonymous_visitors(client, url, text):
    response = client.get(url)
    assert response.status_code == 200
    assert text in response.content.decode()


@pytest.mark.parametrize(
    ("path", "answer"),
    [
        (["identifiant", "identifiant_admin"], "Caf"),
        (["identifiant", "identifiant_user"], "administrateur"),
        (["provisoire", "provisoire_expire"], "24"),
        (["verrouille"], "15 minutes"),
        (["mdp"], "Mot de passe oublié"),
        (["double_authentification", "double_authentification_codes"], "l'un de vos codes de secours"),
        (
            ["double_authentification", "double_authentification_perdue"],
            "Qui réinitialise votre double authentification",
        ),
    ],
)
def test_probleme_de_connexion_leads_to_the_answer(client, path, answer):
    for step in path[:-1]:
        assert "<legend>" in client.get("/probleme-de-connexion/", {"etape": step}).content.decode()
    content = client.get("/probleme-de-connexion/", {"etape": path[-1]}).content.decode()
    assert 'id="reponse"' in content and answer in content


def test_probleme_de_connexion_offers_the_lost_phone(client):
    content = client.get("/probleme-de-connexion/").content.decode()
    assert "J'ai perdu mon téléphone / ma double authentification" in html.unescape(content)
    lost = html.unescape(
        client.get("/probleme-de-connexion/", {"etape": "double_authentification_perdue"}).content.decode()
    )
    # Who resets it (the Caf, through its Ma Caf contact; an agent's national administrator) and how (enrol again).
    assert "votre Caf" in lost and 'href="/ma-caf/"' in lost and "Activer la double authentification" in lost


def test_probleme_de_connexion_unknown_step_restarts(client):
    content = client.get("/probleme-de-connexion/", {"etape": "<script>"}).content.decode()
    assert "Quel est votre problème ?" in content
