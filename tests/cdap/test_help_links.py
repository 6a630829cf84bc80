"""Where "Aide en ligne" is reached from (webinar 004:446–453): the search page's right column lists the help pages
of the rubrics the user's profiles open; each rubric, the attestation and Dialogue link their own help. And the
Dialogue form's hints (004:697–707), each tied to its field by aria-describedby."""

import html
import re
from html.parser import HTMLParser

import pytest

from cdap.models import Consultation
from habilitations.access.rubrics import RUBRIC_LABELS, tabs_for
from tests.cdap.dossiers import make_dossier
from tests.factories import caf, habilitated_user

pytestmark = pytest.mark.django_db


class Elements(HTMLParser):
    """Every element's attributes by id, and the elements that carry aria-describedby."""

    def __init__(self, page):
        super().__init__()
        self.by_id, self.described, self.text, self._open = {}, [], {}, []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.by_id[attrs["id"]] = (tag, attrs)
            self.text[attrs["id"]] = ""
        if "aria-describedby" in attrs:
            self.described.append((tag, attrs))
        self._open.append(attrs.get("id"))

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id:
                self.text[element_id] += data

    def description(self, element_id) -> str:
        """The text of what `element_id`'s aria-describedby points to."""
        _, attrs = self.by_id[element_id]
        return " ".join(re.sub(r"\s+", " ", self.text[ref]).strip() for ref in attrs["aria-describedby"].split())


@pytest.fixture
def consultation(client, login):
    user, group = habilitated_user("T1-ASS")
    login(user)
    return Consultation.objects.create(
        user=user, dossier=make_dossier(caf("061")), profile_code="T1-ASS", organism=group.convention.organism
    )


def test_the_search_page_lists_the_help_of_the_open_rubrics(client, consultation):
    page = html.unescape(client.get("/consulter-dossier/").content.decode())
    assert '<a href="/consulter-dossier/aide/#fonctionnalites">Fonctionnalités générales</a>' in page
    assert '<a href="/consulter-dossier/aide/#rubriques">Présentation des rubriques</a>' in page
    for rubric in tabs_for("T1-ASS"):
        assert f'<a href="/consulter-dossier/aide/{rubric}/">{RUBRIC_LABELS[rubric]}</a>' in page
    assert '<a href="/consulter-dossier/aide/dialogue/">Dialogue</a>' in page
    assert "/consulter-dossier/aide/cmu_cmuc_rsa/" not in page  # T1 does not open it


def test_each_rubric_links_its_own_help(client, consultation):
    base = f"/consulter-dossier/{consultation.reference}/"
    pages = {rubric: f"{base}{rubric}/" for rubric in tabs_for("T1-ASS") if rubric != "synthese"}
    pages.update(synthese=base, attestation_paiement=f"{base}attestation/")
    for rubric, url in pages.items():
        page = html.unescape(client.get(url).content.decode())
        link = (
            f'<a href="/consulter-dossier/aide/{rubric}/">Aide en ligne<span class="visually-hidden"> : '
            f"{RUBRIC_LABELS[rubric]}</span></a>"
        )
        assert link in page, rubric
    for url in (f"{base}dialogue/", "/consulter-dossier/dialogue/"):
        page = html.unescape(client.get(url).content.decode())
        assert '<a href="/consulter-dossier/aide/dialogue/">Aide en ligne' in page, url


@pytest.mark.parametrize("where", ["consultation", "search"])
def test_dialogue_hints_are_tied_to_their_fields(client, consultation, where):
    url = f"/consulter-dossier/{consultation.reference}/dialogue/" if where == "consultation" else None
    page = client.get(url or "/consulter-dossier/dialogue/").content.decode()
    elements = Elements(html.unescape(page))
    form = next(attrs for tag, attrs in elements.described if tag == "form")
    obligatoires = elements.text[form["aria-describedby"]].strip()
    assert obligatoires == "Tous les champs sont obligatoires, sauf mention contraire."
    assert elements.description("id_email") == (
        "Vérifiez bien votre adresse électronique, c'est la garantie pour vous d'obtenir une réponse. "
        "Format nom@domaine.extension : 64 caractères @ 255 caractères maximum."
    )
    assert elements.description("id_numero_allocataire").startswith(
        "Si votre message concerne un dossier d'allocataire que vous avez consulté ces 30 derniers jours, indiquez "
        "son numéro ou vérifiez celui renseigné."
    )
    # After a bad e-mail, the field is described by its hint and by its error.
    bad = client.post(url or "/consulter-dossier/dialogue/", {"email": "a" * 65 + "@ccas.example"})
    elements = Elements(html.unescape(bad.content.decode()))
    assert "Format nom@domaine.extension" in elements.description("id_email")
    assert "64 caractères avant le @" in elements.description("id_email")
