"""Consulter Dossier's "Aide en ligne" (webinar 004:446–453): one page per rubric, in the guide's words, linked from
"Présentation des rubriques"; a rubric that every CDAP profile of the user masks has no help page for them (404, as
an unknown rubric) and is named in no list — nor in the synthèse's help."""

import html
import re

import pytest

from cdap.prestations import NOTE_AIDES_LOGEMENT
from cdap.views_help import INTRODUCTIONS, SYNTHESE_BLOCKS
from habilitations.access.rubrics import HELP_ORDER, RUBRIC_LABELS, rubrics_for
from tests.factories import GroupFactory, grant, habilitated_user, member

pytestmark = pytest.mark.django_db

AIDE = "/consulter-dossier/aide/"

# A sentence of the guide each rubric's help must carry (webinar 004 lines in comments).
GUIDE_WORDING = {
    "synthese": "« VOTRE RECHERCHE » rappelle le dossier consulté",  # 416
    "dossier": "Nombre de personnes à charge au sens des aides au logement",  # 436
    "paiements": "(*) Montant de la retenue sur le paiement (non ventilé par prestation)",  # 513
    "droits": "Montant inférieur au seuil de versement",  # 533
    "famille": "Liens affectifs",  # 640
    "ressources": "Sous-Total",  # 566
    "rsa": "Numéro d'instructeur",
    "courriers": "Votre dossier a été traité 14/12/2021.",  # 595
    "logement": "Date du loyer de référence",  # 622
    "creances": "Aucune créance en cours.",  # 468
    "donnees_complementaires": "Il n'y a pas de données à afficher concernant les enfants bénéficiaires de l'AEEH",
    "cmu_cmuc_rsa": "CMU, CMUC ou RSA",
    "cmuc_ressources": "ressources prises en compte pour la CMUC",
    "attestation_paiement": "deux canaux sont alors proposés",  # 663
}


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


@pytest.fixture
def t1(client, login):
    user, _ = habilitated_user("T1-ASS")
    login(user)
    return user


@pytest.fixture
def every_rubric(client, login):
    """A user whose two groups hold T1-ASS and T6: between them they open every rubric."""
    user, group = habilitated_user("T1-ASS")
    other = GroupFactory(code="T6", convention=group.convention)
    grant(other, "T6")
    member(user, other)
    login(user)
    assert set(HELP_ORDER) <= rubrics_for("T1-ASS") | rubrics_for("T6")
    return user


def test_one_page_per_rubric_in_the_guides_words(client, every_rubric):
    assert set(GUIDE_WORDING) == set(HELP_ORDER) and set(INTRODUCTIONS) == {*HELP_ORDER, "dialogue"}
    index = page(client, AIDE)
    for rubric in HELP_ORDER:
        url = f"{AIDE}{rubric}/"
        assert f'<a href="{url}">{RUBRIC_LABELS[rubric]}</a> : {INTRODUCTIONS[rubric]}' in index
        text = page(client, url)
        assert f"<h1>CONSULTER DOSSIER — Aide en ligne : {RUBRIC_LABELS[rubric]}</h1>" in text, rubric
        assert GUIDE_WORDING[rubric] in text, rubric
        assert f'<a href="{url}" aria-current="page">{RUBRIC_LABELS[rubric]}</a>' in text  # the menu says where
        assert "Ce que montre" in text or "Ce que permet" in text
    assert '<a href="/consulter-dossier/aide/dialogue/">Dialogue</a>' in index


def test_the_footnotes_are_the_rubrics_own(client, t1):
    paiements = page(client, f"{AIDE}paiements/")
    assert NOTE_AIDES_LOGEMENT in paiements and "Les aides personnelles au logement évoluent." in paiements
    droits = page(client, f"{AIDE}droits/")
    assert NOTE_AIDES_LOGEMENT in droits
    assert "Un droit dont le montant est inférieur au seuil de versement n'est pas payé." in droits


def test_general_features_and_the_list(client, t1):
    index = page(client, AIDE)
    assert '<h2 id="fonctionnalites">Fonctionnalités générales</h2>' in index
    assert '<h2 id="rubriques">Présentation des rubriques</h2>' in index
    assert "L'utilisateur accède aux différentes rubriques en fonction du profil accordé" in index
    assert "Aucun dossier ne correspond à votre saisie ou vous n'êtes pas habilité à le consulter." in index
    # T1 opens neither CMU rubric: not in the list, and their pages are not there for a T1 user.
    for rubric in ("cmu_cmuc_rsa", "cmuc_ressources"):
        assert f"{AIDE}{rubric}/" not in index
        page(client, f"{AIDE}{rubric}/", status=404)


def test_a_masked_rubric_has_no_help_page_and_is_named_nowhere(client, login):
    """T2 opens the synthèse only: its help lists the synthèse and Dialogue; every other rubric answers 404 — the
    same as a rubric that does not exist — and the synthèse's help describes no other rubric's block."""
    user, _ = habilitated_user("T2")
    login(user)
    index = page(client, AIDE)
    for rubric in HELP_ORDER:
        if rubric == "synthese":
            continue
        assert f"{AIDE}{rubric}/" not in index
        assert INTRODUCTIONS[rubric] not in index
        missing = client.get(f"{AIDE}{rubric}/")
        assert missing.status_code == 404
        assert "PAGE INTROUVABLE" in missing.content.decode()
    synthese = page(client, f"{AIDE}synthese/")
    for block in SYNTHESE_BLOCKS.values():
        assert block not in synthese
    assert "Votre profil donne accès à l'identité, à l'adresse, à la composition de la famille" in synthese


def test_the_synthese_help_describes_the_blocks_of_the_open_rubrics(client, t1):
    synthese = page(client, f"{AIDE}synthese/")
    for rubric, block in SYNTHESE_BLOCKS.items():
        assert (f"<strong>{RUBRIC_LABELS[rubric]}</strong> : {block}" in synthese) == (rubric in rubrics_for("T1-ASS"))


def test_dialogue_help_carries_the_forms_hints(client, t1):
    text = page(client, f"{AIDE}dialogue/")
    for hint in (
        "Tous les champs sont obligatoires, sauf mention contraire.",
        "vérifiez bien votre adresse électronique, c'est la garantie pour vous d'obtenir une réponse.",
        "Format nom@domaine.extension : 64 caractères @ 255 caractères maximum.",
        "si votre message concerne un dossier d'allocataire, indiquez son numéro ou vérifiez celui renseigné.",
        "que vous avez consulté ces 30 derniers jours",
    ):
        assert hint in text


def test_without_cdap_no_help(client, login):
    user, _ = habilitated_user("ADONIS")
    login(user)
    for url in (AIDE, f"{AIDE}synthese/", f"{AIDE}dialogue/", f"{AIDE}inconnue/"):
        assert client.get(url).status_code == 403, url


def test_help_pages_cost_a_fixed_number_of_queries(client, t1, django_assert_max_num_queries):
    page(client, f"{AIDE}paiements/")  # the masks are cached per process after the first read
    with django_assert_max_num_queries(8):
        page(client, f"{AIDE}paiements/")
    with django_assert_max_num_queries(8):
        page(client, AIDE)
