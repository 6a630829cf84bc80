"""Guide 001, end to end in a real browser: the partner administrator creates the group T1 "CDAP T1", gives it the
profile T1 of "Consulter Dossier", creates a user and adds them to the group; the user receives their identifiant
and provisional password by e-mail, chooses their own password, and finds the service on the home page."""

import re

import pytest
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from habilitations.models import Membership, OrganismAdministrator, User, UserGroup
from tests.browser.conftest import assert_accessible
from tests.factories import ConventionFactory, UserFactory, convention_profile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSONAL = "Marron-Clair#2031"


@pytest.fixture
def organism_world():
    """A convention "Valable" holding the CDAP profile T1, its administrator (no second factor enrolled yet) and
    an existing user who will be the group's responsable."""
    convention = ConventionFactory(libelle="Convention du CCAS de Menton")
    convention_profile(convention, "T1-ASS")
    organism = convention.organism
    administrator = UserFactory(organism=organism, is_partner_admin=True, nom="CERVAYNE", prenom="Lisa")
    OrganismAdministrator.objects.create(organism=organism, user=administrator, role="PRINCIPAL")
    responsable = UserFactory(organism=organism, nom="BERNARD", prenom="Claire")
    return convention, administrator, responsable


def open_actions(page, row_name: str, item: str) -> None:
    """ "Choisir..." on the table row headed `row_name`, then the menu item `item`."""
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=row_name, exact=True))
    row.get_by_text("Choisir...").click()
    row.get_by_role("link", name=item, exact=True).click()


def test_guide_001_group_profile_user_membership_then_first_login(page, login_as, organism_world):
    convention, administrator, responsable = organism_world

    # The administrator logs in and enrols the second factor their role requires.
    login_as(administrator)
    expect(page).to_have_url(re.compile(r"/double-authentification/enrolement/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("ACTIVER LA DOUBLE AUTHENTIFICATION")
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=administrator)
    page.get_by_label("Code à usage unique").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Activer").click()
    expect(page.locator(".message-success")).to_contain_text("La double authentification est activée.")
    assert_accessible(page)
    page.get_by_role("link", name="Continuer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("BIENVENUE")
    assert_accessible(page)

    # Gestion des habilitations → Mes conventions → "Choisir..." → Groupes.
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="GESTION DES HABILITATIONS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CONVENTIONS")
    assert_accessible(page)
    open_actions(page, convention.libelle, "Groupes")
    expect(page.get_by_role("heading", level=1)).to_have_text("GROUPES UTILISATEURS")
    expect(page.locator("#groupes")).to_contain_text("Aucun groupe pour cette convention.")
    assert_accessible(page)

    # "Créer un groupe": code T1, libellé CDAP T1, an existing user as responsable.
    page.get_by_role("link", name="Créer un groupe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CRÉER UN GROUPE UTILISATEURS")
    assert_accessible(page)
    page.get_by_label("Code").fill("T1")
    page.get_by_label("Libellé").fill("CDAP T1")
    page.get_by_label("Sélectionner un utilisateur").check()
    page.get_by_label("Utilisateur de l'organisme").select_option(label=f"BERNARD Claire ({responsable.identifiant})")
    page.get_by_role("button", name="Créer le groupe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("GROUPES UTILISATEURS")
    expect(page.get_by_role("rowheader", name="T1", exact=True)).to_be_visible()
    expect(page.locator("#groupes")).to_contain_text("CDAP T1")
    assert_accessible(page)
    group = UserGroup.objects.get(convention=convention, code="T1")
    assert group.libelle == "CDAP T1" and group.responsable == responsable

    # Habilitations du groupe: service "Consulter Dossier", profile T1, "Assigner rôle", "Enregistrer".
    open_actions(page, "T1", "Habilitations du groupe")
    expect(page.get_by_role("heading", level=1)).to_have_text("HABILITATIONS DU GROUPE")
    assert_accessible(page)
    # Choosing the service reloads the profiles' options (htmx): wait until they are swapped in before choosing.
    page.evaluate(
        "() => { window.profilesSwapped = new Promise((done) =>"
        " document.body.addEventListener('htmx:afterSettle', done, {once: true})); }"
    )
    page.get_by_label("Services").select_option(label="Consulter Dossier")
    page.evaluate("() => window.profilesSwapped.then(() => true)")
    page.get_by_label("Profil").select_option(label="T1 – Assistants service social")
    page.get_by_role("button", name="Assigner rôle").click()
    assigned = page.locator(".grants-assigned")
    expect(assigned).to_contain_text("Consulter Dossier — T1 – Assistants service social")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("GROUPES UTILISATEURS")
    expect(page.locator(".message-success")).to_contain_text("Les habilitations du groupe T1 - CDAP T1")
    assert_accessible(page)

    # Utilisateurs → "Créer un utilisateur": nom, prénom, e-mail twice → "Valider".
    page.get_by_role("link", name="Mes conventions").first.click()
    open_actions(page, convention.libelle, "Utilisateurs")
    expect(page.get_by_role("heading", level=1)).to_have_text("LISTE DES UTILISATEURS")
    assert_accessible(page)
    page.get_by_role("link", name="Créer un utilisateur").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CRÉER UN UTILISATEUR PARTENAIRE")
    assert_accessible(page)
    mail.outbox.clear()
    page.get_by_label(re.compile(r"^Nom :")).fill("Leroy")
    page.get_by_label("Prénom").fill("Nathalie")
    page.get_by_label(re.compile(r"^Adresse mail")).fill("nathalie.leroy@ccas-menton.example")
    page.get_by_label(re.compile(r"^Confirmer adresse mail")).fill("nathalie.leroy@ccas-menton.example")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LISTE DES UTILISATEURS")
    new_user = User.objects.get(email="nathalie.leroy@ccas-menton.example")
    expect(page.locator(".message-success")).to_contain_text(f"({new_user.identifiant}) a été créé")
    expect(page.get_by_role("rowheader", name=new_user.identifiant)).to_be_visible()
    assert_accessible(page)

    # "Choisir..." → "Ajouter à un groupe" → group T1 → "Ajouter au groupe".
    open_actions(page, new_user.identifiant, "Ajouter à un groupe")
    expect(page.get_by_role("heading", level=1)).to_have_text("AJOUTER UN UTILISATEUR AU GROUPE")
    assert_accessible(page)
    expect(page.locator("#id_user")).to_have_value(str(new_user.pk))
    page.locator("#id_group").select_option(label="T1 - CDAP T1")
    # Guide 000: the group gives a CDAP profile, the manager attests the user's qualification — or nothing is written.
    page.get_by_role("button", name="Ajouter au groupe").click()
    expect(page.locator("#id_qualification_error")).to_contain_text(
        "Confirmez que l'utilisateur détient la qualification requise pour le profil T1-ASS."
    )
    assert_accessible(page)
    assert not Membership.objects.filter(user=new_user).exists()
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/h21b-qualification-{width}.png", full_page=True)
    page.get_by_label("L'utilisateur détient la qualification requise pour le profil T1-ASS").check()
    page.get_by_role("button", name="Ajouter au groupe").click()
    expect(page.locator(".message-success")).to_be_visible()
    assert_accessible(page)
    assert Membership.objects.filter(user=new_user, group=group, date_cloture__isnull=True).exists()
    page.get_by_role("button", name="DÉCONNEXION").click()
    expect(page).to_have_url(re.compile(r"/connexion/"))

    # The user's two e-mails: the identifiant, then the provisional password.
    assert [message.to for message in mail.outbox] == [[new_user.email]] * 2, [m.subject for m in mail.outbox]
    bodies = "\n".join(message.body for message in mail.outbox)
    identifiant = re.search(r"Votre identifiant : (\S+)", bodies).group(1)
    provisional = re.search(r"mot de passe provisoire pour Mon Compte Partenaire : (\S+)", bodies).group(1)
    assert identifiant == new_user.identifiant

    # First login with the provisional password: choose a personal one, then the service is on the home page.
    page.get_by_label("Identifiant").fill(identifiant)
    page.locator("#id_password").fill(provisional)
    page.get_by_role("button", name="Connexion", exact=True).click()
    expect(page).to_have_url(re.compile(r"/premiere-connexion/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("CHOISIR VOTRE MOT DE PASSE")
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Nouveau mot de passe")).fill(PERSONAL)
    page.get_by_label(re.compile(r"^Confirmer le nouveau mot de passe")).fill(PERSONAL)
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(re.compile(r"/accueil/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("BIENVENUE")
    expect(page.locator("#service-CDAP .tile-title")).to_have_text("CONSULTER DOSSIER")
    expect(page.locator("#aucun-service")).to_have_count(0)
    assert_accessible(page)
