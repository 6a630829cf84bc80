"""Habilitations du groupe in a real browser (issue 12, item 8): one commit model. "Assigner rôle" puts the role in
the right-hand box, marked "à enregistrer", and writes nothing; "Annuler" leaves the grants as they were;
"Enregistrer" saves the list. The two boxes stand side by side at 1280 px, one under the other at 320 px."""

import os

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from habilitations.models import GroupGrant, OrganismAdministrator
from tests.browser.conftest import assert_accessible
from tests.factories import ConventionFactory, GroupFactory, UserFactory, convention_profile, grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("MCP_SCREENSHOTS")  # a folder: the pages are saved there at 320 and 1280 px


def shoot(page, name: str) -> None:
    if not SHOTS:
        return
    viewport = page.viewport_size
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(viewport)


def enrolled_admin_page(page, login_as, administrator):
    login_as(administrator)
    device = TOTPDevice.objects.get(user=administrator)
    page.get_by_label("Code à usage unique").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Activer").click()
    page.get_by_role("link", name="Continuer").click()


def test_assigner_role_waits_for_enregistrer_and_annuler_discards(page, login_as):
    convention = ConventionFactory()
    group = GroupFactory(convention=convention, code="T1", libelle="CDAP T1")
    grant(group, "T1-ASS")
    t2 = convention_profile(convention, "T2")
    administrator = UserFactory(organism=convention.organism, is_partner_admin=True)
    OrganismAdministrator.objects.create(organism=convention.organism, user=administrator, role="PRINCIPAL")
    enrolled_admin_page(page, login_as, administrator)
    url = f"/gestion-des-habilitations/groupes/{group.pk}/habilitations/"

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("HABILITATIONS DU GROUPE")
    # Side by side at 1280 px: the right-hand box starts level with the left one, to its right.
    assign, assigned = page.locator(".grants-assign"), page.locator(".grants-assigned")
    left, right = assign.bounding_box(), assigned.bounding_box()
    assert right["x"] > left["x"] + left["width"] - 1 and abs(right["y"] - left["y"]) < 2
    page.get_by_label("Profil").select_option(label="T2 – Prestataires services sociaux")
    page.get_by_role("button", name="Assigner rôle").click()
    expect(assigned).to_contain_text("Consulter Dossier — T2 – Prestataires services sociaux (à enregistrer)")
    expect(page.locator("#modifications-en-attente")).to_contain_text("Modifications non enregistrées")
    assert not GroupGrant.objects.filter(convention_profile=t2).exists()
    # "Retirer" on the role already held marks it too; still nothing written.
    assigned.get_by_role("button", name="Retirer le rôle T1 – Assistants service social").click()
    expect(assigned).to_contain_text("(retiré à l'enregistrement)")
    assert GroupGrant.objects.filter(group=group, date_cloture=None).count() == 1
    shoot(page, "group-grants-pending")
    assert_accessible(page)
    # At 320 px the boxes stack: the right-hand one under the left one.
    page.set_viewport_size({"width": 320, "height": 900})
    left, right = assign.bounding_box(), assigned.bounding_box()
    assert right["y"] >= left["y"] + left["height"] - 1
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Annuler").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("GROUPES UTILISATEURS")
    assert not GroupGrant.objects.filter(convention_profile=t2).exists()
    assert GroupGrant.objects.filter(group=group, date_cloture=None).count() == 1

    page.goto(url)
    expect(assigned).not_to_contain_text("à enregistrer")
    page.get_by_label("Profil").select_option(label="T2 – Prestataires services sociaux")
    page.get_by_role("button", name="Assigner rôle").click()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".message-success")).to_contain_text(
        "Les habilitations du groupe T1 - CDAP T1 sont enregistrées."
    )
    assert GroupGrant.objects.filter(group=group, convention_profile=t2, date_cloture=None).exists()
    page.goto(url)
    expect(assigned).to_contain_text("Consulter Dossier — T2 – Prestataires services sociaux")
    expect(assigned).not_to_contain_text("à enregistrer")
    shoot(page, "group-grants-saved")
    assert_accessible(page)


def test_creer_un_groupe_shows_the_new_responsables_fields_only_once_chosen(page, login_as):
    convention = ConventionFactory()
    administrator = UserFactory(organism=convention.organism, is_partner_admin=True)
    OrganismAdministrator.objects.create(organism=convention.organism, user=administrator, role="PRINCIPAL")
    enrolled_admin_page(page, login_as, administrator)
    page.goto(f"/gestion-des-habilitations/conventions/{convention.pk}/groupes/creer/")
    new_fields = page.locator(".responsable-new")
    expect(new_fields).to_be_hidden()
    expect(page.locator(".responsable-existing")).to_be_visible()
    page.get_by_label("Créer...").check()
    expect(new_fields).to_be_visible()
    expect(page.locator(".responsable-existing")).to_be_hidden()
    shoot(page, "group-create-new-responsable")
    assert_accessible(page)
