"""« Questions / Réponses » (issue 23.5, webinar 004:938): public, by rubrique, searchable whatever the accents and
the case, written by the Caf's agents in the admin (journaled), linked from « Problème de connexion » and the help of
every logged-in page."""

import pytest
from django.test import Client

from habilitations.journal import JournalEntry
from portal import faq
from portal.faq_text import fold, search_words
from portal.models import FaqEntry
from tests.factories import UserFactory, habilitated_user
from tests.habilitations.test_conventions_views import content
from tests.support.access import verified_client

pytestmark = pytest.mark.django_db

URL = "/questions-reponses/"


def page(query: dict | None = None) -> str:
    return content(Client().get(URL, query or {}))


def test_the_migration_wrote_every_rubrique_of_the_guides():
    rubriques = set(FaqEntry.objects.filter(publiee=True).values_list("rubrique", flat=True))
    assert rubriques == set(FaqEntry.Rubrique.values)
    html = page()
    for title in ["Connexion", "Mot de passe", "Double authentification", "Habilitations", "Les services"]:
        assert f">{title}</h2>" in html
    assert "Qui contacter ?</h2>" in html
    assert (
        "Un administrateur doit se rapprocher de la Caf et un utilisateur doit se rapprocher de son administrateur"
        in html
    )
    assert "ils doivent être personnalisés dans les 24 heures" in html


@pytest.mark.parametrize("typed", ["réinitialise", "REINITIALISE", "Réinitialise", "reinitialise"])
def test_the_search_ignores_accents_and_case(typed):
    found = list(faq.published_entries(typed).values_list("question", flat=True))
    assert "J'ai changé de téléphone ou je n'ai plus mon application" in found


def test_every_word_must_be_found_in_the_question_or_the_answer():
    found = set(faq.published_entries("mot de passe provisoire").values_list("question", flat=True))
    assert "Mon mot de passe provisoire ne fonctionne pas" in found
    assert "Qu'est-ce que la double authentification ?" not in found
    assert not faq.published_entries("provisoire zèbre").exists()


def test_the_words_are_folded_and_short_ones_dropped():
    assert fold("  Œuvre   ÉTÉ  ") == "oeuvre ete"
    assert search_words("à la Caf d'Île-de-France") == ["la", "caf", "d'ile-de-france"]
    assert len(search_words(" ".join(f"mot{n}" for n in range(30)))) == 10


def test_a_search_shows_its_count_and_opens_the_answers():
    html = page({"q": "VERROUILLÉ"})
    assert "question trouvée" in html and "pour « VERROUILLÉ »" in html
    assert '<details class="faq-entry"' in html and " open>" in html
    assert "Mon compte est verrouillé après plusieurs essais" in html
    assert "Quelles règles mon mot de passe doit-il respecter ?" not in html


def test_nothing_found_says_so():
    assert "Aucune question ne correspond à votre recherche « xylophone »." in page({"q": "xylophone"})


def test_a_rubrique_alone_and_a_rubrique_outside_the_list():
    html = page({"rubrique": "CONTACT"})
    assert "Qui contacter pour une question ?" in html and "Comment changer mon mot de passe ?" not in html
    html = page({"rubrique": "AUTRE"})
    assert "Choisissez une rubrique de la liste." in html
    assert "Comment changer mon mot de passe ?" in html  # every question, as without a search


def test_a_search_too_long_is_refused_in_french():
    assert "Saisissez 100 caractères au plus." in page({"q": "a" * 101})


def test_an_unpublished_question_is_not_shown():
    entry = FaqEntry.objects.get(question="Comment changer mon mot de passe ?")
    assert entry.question in page()
    FaqEntry.objects.filter(pk=entry.pk).update(publiee=False)
    assert entry.question not in page()
    assert not faq.published_entries("changer").filter(pk=entry.pk).exists()


def test_one_query_for_the_page(django_assert_num_queries):
    client = Client()
    with django_assert_num_queries(1):
        assert client.get(URL, {"q": "mot de passe"}).status_code == 200


def test_an_agent_writes_a_question_in_the_admin_and_it_is_journaled():
    agent = UserFactory(agent=True)
    client = verified_client(agent)
    response = client.post(
        "/admin/portal/faqentry/add/",
        {
            "rubrique": "SERVICES",
            "ordre": "5",
            "question": "  Où   trouver le guide Consulter Dossier ?",
            "reponse": "Sur la page d'accueil, en PDF.\n\nIl est mis à jour à chaque version.",
            "publiee": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = FaqEntry.objects.get(question="Où trouver le guide Consulter Dossier ?")
    assert entry.modifiee_par == agent and entry.recherche.startswith("ou trouver le guide")
    row = JournalEntry.objects.get(event=faq.FAQ_CHANGED)
    assert row.actor == agent and row.data["faq"] == entry.pk and row.data["created"] is True
    html = page({"q": "ou trouver le guide"})
    assert "<p>Sur la page d&#x27;accueil, en PDF.</p><p>Il est mis à jour à chaque version.</p>" in html

    # Unpublished through the admin: gone from the public page, still in the admin.
    response = client.post(
        f"/admin/portal/faqentry/{entry.pk}/change/",
        {"rubrique": "SERVICES", "ordre": "5", "question": entry.question, "reponse": entry.reponse},
    )
    assert response.status_code == 302
    assert "Où trouver le guide" not in page()
    assert JournalEntry.objects.filter(event=faq.FAQ_CHANGED).count() == 2


def test_an_empty_question_is_refused_in_french_and_nothing_written():
    client = verified_client(UserFactory(agent=True))
    before = FaqEntry.objects.count()
    response = client.post("/admin/portal/faqentry/add/", {"rubrique": "SERVICES", "ordre": "x", "reponse": ""})
    html = content(response)
    assert "Saisissez la question." in html and "Saisissez la réponse." in html
    assert "Saisissez un nombre entier (0, 10, 20 …)." in html
    assert FaqEntry.objects.count() == before and not JournalEntry.objects.filter(event=faq.FAQ_CHANGED).exists()


def test_a_partner_has_no_access_to_the_admin_s_questions():
    user, _group = habilitated_user()
    response = verified_client(user).get("/admin/portal/faqentry/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_linked_from_probleme_de_connexion_the_footer_and_every_logged_in_page_s_help():
    assert f'<a href="{URL}">Questions / Réponses</a>' in content(Client().get("/probleme-de-connexion/"))
    assert f'<a href="{URL}">Questions / Réponses</a>' in content(Client().get("/"))  # the footer
    user, _group = habilitated_user()
    client = verified_client(user)
    home = content(client.get("/accueil/"))
    assert 'class="help-links"><li><a href="/questions-reponses/">Questions / Réponses</a>' in home
    service = content(client.get("/consulter-dossier/"))
    assert '<li><a href="/questions-reponses/#rubrique-services">Questions / Réponses</a></li>' in service
