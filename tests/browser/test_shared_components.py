"""The shared components and screens in a real browser, with long real-world values (names, e-mails, messages): the
chart with its data table (Supervision Consulter Dossier), the timeline (core.history), the import report (bulk
import of users), the information banners and « BESOIN D'AIDE ? », « Signaler un changement d'administrateur » and
Habilitations du groupe. axe-core and no sideways scroll at 320, 1280 and 1920 px on each (assert_accessible);
MCP_SCREENSHOTS=<folder> saves them at 320 and 1280 px (and 1920 where the width matters)."""

import datetime
import os

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from playwright.sync_api import expect

from core.history import TimelineEntry
from habilitations.journal import Event, journal_write
from habilitations.models import Caf, CafServiceContact, InformationBanner, OrganismAdministrator, Service
from portal.banners import banners_reload
from portal.help import help_reload
from tests.browser.conftest import assert_accessible
from tests.browser.test_group_grants import enrolled_admin_page
from tests.factories import (
    ConventionFactory,
    GroupFactory,
    UserFactory,
    convention_profile,
    grant,
    habilitated_user,
    member,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("MCP_SCREENSHOTS")
LONG_EMAIL = "secretariat.direction-generale-des-solidarites@departement-des-alpes-maritimes.example"


def shoot(page, name: str, widths=(320, 1280)) -> None:
    if not SHOTS:
        return
    viewport = page.viewport_size
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(viewport)


def wider_than_its_box(page, selector: str) -> list[str]:
    """The texts under `selector` cut by their own box (overflow hidden or clipped): clipped text."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector + ' *')].filter((el) => {
            const style = getComputedStyle(el);
            return el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible' && style.overflowX !== 'auto'
                && style.overflowX !== 'scroll' && el.clientWidth > 0;
        }).map((el) => el.tagName + ': ' + el.textContent.trim().slice(0, 60))""",
        selector,
    )


def gap_above(page, selector: str) -> float:
    """The room between `selector` and the element just before it."""
    return page.locator(selector).evaluate(
        "e => e.getBoundingClientRect().top - e.previousElementSibling.getBoundingClientRect().bottom"
    )


def even_padding(page, selector: str) -> tuple[float, float]:
    """The room above the first child of `selector` and under its last, in px: a box as tight at the bottom as at
    the top."""
    return page.locator(selector).evaluate(
        """e => { const box = e.getBoundingClientRect(), first = e.firstElementChild.getBoundingClientRect(),
            last = e.lastElementChild.getBoundingClientRect();
            return [first.top - box.top, box.bottom - last.bottom]; }"""
    )


def test_the_supervisions_chart_and_its_data_table(page, login_as):
    supervisor, group = habilitated_user("SUPERVISION_CDAP", service_group_code="SUP")
    for n, (nom, prenom) in enumerate(
        [("Martin", "Paul"), ("de La Rochefoucauld-Montbel", "Marie-Geneviève"), ("N'Diaye", "Aminata")]
    ):
        worker = UserFactory(organism=group.convention.organism, nom=nom, prenom=prenom)
        for rubric in ("synthese", "paiements", "droits")[: n + 1]:
            journal_write(
                Event.CDAP_RUBRIC,
                user=worker,
                organism=worker.organism,
                profile="T1-ASS",
                caf="061",
                dossier="1234567",
                rubric=rubric,
                outcome="found",
            )
    login_as(supervisor)
    page.goto("/supervision-consulter-dossier/par-utilisateur-et-par-mois/")
    page.get_by_role("link", name="Réinitialiser").click()
    expect(page.locator("#graphique-canevas")).to_be_visible()
    expect(page.locator("#comptes")).to_contain_text("DE LA ROCHEFOUCAULD-MONTBEL Marie-Geneviève")
    # The counts right-aligned under right-aligned headers, in the chart's table and in the users' table.
    for selector in (
        "#graphique .chart-table thead th:nth-child(2)",
        ".chart-table tbody td",
        "#comptes thead th:last-child",
        "#comptes tbody td",
    ):
        assert page.locator(selector).first.evaluate("e => getComputedStyle(e).textAlign") == "right", selector
    shoot(page, "chart-data-table")
    assert_accessible(page)


def test_the_timeline_component(page, login_as):
    """No screen shows a history yet (AFAS and Bailleur declarations will): the component, rendered by Django, is
    put in a page of the portal's layout."""
    at = timezone.make_aware(datetime.datetime(2026, 12, 7, 14, 5))
    entries = [
        TimelineEntry(at=at, by="GARDE Anne", from_label="", to_label="Brouillon", comment=""),
        TimelineEntry(
            at=at + datetime.timedelta(days=1),
            by="DE LA ROCHEFOUCAULD-MONTBEL Marie-Geneviève",
            from_label="Brouillon",
            to_label="Transmise à la Caf pour approbation",
            comment="Déclaration des heures réalisées de septembre à novembre.\nPièce jointe : "
            "attestation-de-frequentation-centre-social-les-moulins-2026.pdf",
        ),
        TimelineEntry(
            at=at + datetime.timedelta(days=2), by="", from_label="Transmise", to_label="Validée", comment=""
        ),
    ]
    html = render_to_string("components/timeline.html", {"entries": entries, "label": "Historique de la déclaration"})
    empty = render_to_string("components/timeline.html", {"entries": []})
    login_as(UserFactory())
    page.goto("/mon-profil/")
    page.locator("#contenu").evaluate(
        "(main, html) => { main.innerHTML = '<h1>HISTORIQUE</h1>' + html; }", html + empty
    )
    expect(page.locator(".timeline")).to_contain_text("Le 08/12/2026 à 14:05, par DE LA ROCHEFOUCAULD-MONTBEL")
    expect(page.locator(".timeline")).to_contain_text("automatiquement")
    expect(page.locator(".timeline-empty")).to_have_text("Aucun changement d'état pour l'instant.")
    # A dot on the line at each step.
    steps = page.locator(".timeline .timeline-step")
    assert steps.first.evaluate("e => getComputedStyle(e, '::before').borderRadius") == "50%"
    shoot(page, "timeline")
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 900})
    assert not wider_than_its_box(page, ".timeline")


@pytest.fixture
def administrator(page, login_as):
    caf = Caf.objects.get(code="061")
    caf.centre_services_jours = "du lundi au vendredi"
    caf.centre_services_horaires = "de 8 h 30 à 16 h 30"
    caf.centre_services_telephone = "04 93 53 85 52"
    caf.centre_services_email = "centre-de-services-partenaires@caf-des-alpes-maritimes.example"
    caf.save()
    CafServiceContact.objects.create(
        caf=caf,
        service=Service.objects.get(code="CDAP"),
        pole="Pôle Partenaires et Relations institutionnelles",
        email=LONG_EMAIL,
        interlocuteurs="Mélanie Garrigues, 05 65 77 82 18\nMonique Besse, 05 65 77 82 13",
    )
    help_reload(caf.pk)
    now = timezone.now()
    InformationBanner.objects.create(
        caf=caf,
        niveau="ALERTE",
        titre="Fermeture exceptionnelle du centre de services",
        message="Le centre de services sera fermé le 24 décembre.\nÉcrivez à " + LONG_EMAIL,
        debut=now - datetime.timedelta(hours=1),
        fin=now + datetime.timedelta(days=1),
        published_by=UserFactory(agent=True),
    )
    InformationBanner.objects.create(
        titre="Maintenance",
        message="Le portail sera indisponible dimanche de 6 h à 8 h.",
        debut=now - datetime.timedelta(hours=1),
        fin=now + datetime.timedelta(days=1),
        published_by=UserFactory(agent=True, is_superuser=True),
    )
    banners_reload()
    convention = ConventionFactory(organism__nom="Conseil départemental des Alpes-Maritimes")
    group = GroupFactory(convention=convention, code="T1", libelle="CDAP T1 — Assistantes sociales de secteur")
    grant(group, "T1-ASS")
    for code in ("T2", "T4", "T5"):
        convention_profile(convention, code)
    admin = UserFactory(organism=convention.organism, is_partner_admin=True, caf=caf, email=LONG_EMAIL)
    OrganismAdministrator.objects.create(organism=convention.organism, user=admin, role="PRINCIPAL")
    member(admin, group)  # Consulter Dossier too, whose pages show the Caf's contact for the service
    enrolled_admin_page(page, login_as, admin)
    return {"admin": admin, "convention": convention, "group": group}


def test_banners_and_besoin_d_aide(page, administrator):
    page.goto("/accueil/")
    expect(page.locator(".banners")).to_contain_text("Fermeture exceptionnelle du centre de services")
    expect(page.locator(".banners")).to_contain_text("information nationale")
    expect(page.locator(".help-centre")).to_contain_text("Signaler un changement d'administrateur")
    expect(page.locator(".banners")).to_contain_text("Alerte : Fermeture exceptionnelle")  # not by its colour only
    expect(page.locator("main")).to_contain_text("Votre rôle : Administrateur de l'organisme.")
    for banner in (".banners .message-warning", ".banners .message-info"):
        top, bottom = even_padding(page, banner)
        assert abs(top - bottom) <= 1, (banner, top, bottom)  # no paragraph margin left under the message
    shoot(page, "banners-help-home")
    assert_accessible(page)
    page.goto("/consulter-dossier/")
    expect(page.locator(".help-centre")).to_contain_text("Pôle Partenaires et Relations institutionnelles")
    assert gap_above(page, ".help-centre") >= 24  # apart from « Aide en ligne », whose layout has no bottom margin
    shoot(page, "help-service-contact")
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 900})
    assert not wider_than_its_box(page, ".help-centre") and not wider_than_its_box(page, ".banners")
    # A phone number on one line, at 320 px too.
    phones = page.locator(".help-centre .phone")
    expect(phones).to_have_count(3)
    assert all(n == 1 for n in phones.evaluate_all("els => els.map((e) => e.getClientRects().length)"))


def test_the_administrator_change_form(page, administrator):
    page.goto("/changement-d-administrateur/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("CHANGEMENT D'ADMINISTRATEUR")
    expect(page.get_by_label("Administrateur qui part")).to_contain_text("(Choisir un administrateur)")
    shoot(page, "administrator-change")
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer").click()  # empty: the messages next to the fields
    expect(page.locator(".errorlist").first).to_be_visible()
    shoot(page, "administrator-change-errors")
    assert_accessible(page)


def test_the_groups_habilitations_at_1920(page, administrator):
    page.goto(f"/gestion-des-habilitations/groupes/{administrator['group'].pk}/habilitations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("HABILITATIONS DU GROUPE")
    panel, actions = page.locator(".grants-layout").bounding_box(), page.locator(".grants-form > .form-actions")
    assert actions.bounding_box()["y"] >= panel["y"] + panel["height"] + 12  # « Enregistrer » apart from the boxes
    # Each hint under its field's label and describing its control, as on every other form (not under the
    # control, glued to the next label).
    for control, hint in (
        ("#id_service", "Le service en ligne concerné"),
        ("#id_convention_profile", "Le profil est"),
    ):
        described = page.locator(control).get_attribute("aria-describedby") or ""
        hints = [page.locator(f"[id='{name}']").inner_text() for name in described.split()]
        assert any(text.startswith(hint) for text in hints), (control, hints)
        label = page.locator(f"label[for='{control[1:]}']").bounding_box()
        assert label["y"] < page.get_by_text(hint).bounding_box()["y"] < page.locator(control).bounding_box()["y"]
    shoot(page, "group-grants", widths=(320, 1280, 1920))
    assert_accessible(page)


def test_the_import_report(page, administrator):
    convention = administrator["convention"]
    lines = [
        "nom;prenom;email;telephone;poste;date_ouverture;date_cloture;groupe",
        "Lagare;Xavier;x.lagare@partenaire.fr;07 00 02 00 00;Itinérant;;;T1",
        f"de La Rochefoucauld-Montbel;Marie-Geneviève;{LONG_EMAIL[:40]}.fr;;;01/09/2026;;",
        "Durand;Laureline;pas-une-adresse;;;31/02/2026;;INCONNU",
        ";;;;;;;",
    ]
    page.goto(f"/gestion-des-habilitations/conventions/{convention.pk}/import/")
    page.locator("#id_fichier").set_input_files(
        {"name": "utilisateurs.csv", "mimeType": "text/csv", "buffer": "\n".join(lines).encode()}
    )
    page.get_by_role("button", name="Vérifier").click()
    expect(page.locator("#lignes")).to_contain_text("Adresse mail invalide")
    top, bottom = even_padding(page, ".error-summary")
    assert abs(top - bottom) <= 1, (top, bottom)
    shoot(page, "import-report")
    assert_accessible(page)
    # On a phone each line is a card: its result, the reasons of a rejection, in sight and in one piece beside
    # « Résultat », the caption on one line.
    page.set_viewport_size({"width": 320, "height": 900})
    result = page.locator("#lignes tbody tr").nth(2).locator("td[data-label='Résultat']")
    expect(result).to_contain_text("Colonne « date_ouverture »")
    box = result.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    expect(page.locator("#lignes tbody tr th").first).to_have_text("Ligne 2")
    assert result.locator("div").bounding_box()["x"] > box["x"] + 50  # the reasons beside the label, not under it
    caption = page.locator("#lignes caption").bounding_box()
    assert caption["height"] < 40  # « Détail par ligne » on one line
