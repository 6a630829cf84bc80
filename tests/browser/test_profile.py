"""Mon profil in a real browser: the e-mail change asks the password again, the link works once, and the previous
address is told (issue 10, finding 3)."""

import re

import pytest
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_changing_the_email_asks_the_password_and_tells_the_previous_address(page, login_as):
    administrator = UserFactory(is_partner_admin=True, email="ancienne@partenaire.example")
    login_as(administrator)
    device = TOTPDevice.objects.get(user=administrator)
    page.get_by_label("Code à usage unique").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Activer").click()
    page.get_by_role("link", name="Continuer").click()

    page.locator("header").get_by_role("link", name="MON PROFIL").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("MON PROFIL")
    # "Générer de nouveaux codes de secours" asks the password too.
    expect(page.get_by_label("Mot de passe actuel")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Modifier l'adresse mail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("MODIFIER L'ADRESSE MAIL")
    page.get_by_label(re.compile(r"^Nouvelle adresse mail")).fill("nouvelle@partenaire.example")
    page.get_by_label("Confirmer la nouvelle adresse mail").fill("nouvelle@partenaire.example")
    page.get_by_label("Mot de passe actuel").fill("Faux#2026xx")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator(".field-error")).to_contain_text("Le mot de passe actuel est incorrect.")
    assert_accessible(page)
    assert mail.outbox == []

    page.get_by_label("Mot de passe actuel").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(re.compile(r"/mon-profil/$"))
    expect(page.locator(".message-success")).to_contain_text("Un lien de confirmation a été envoyé")
    [confirmation] = mail.outbox
    assert confirmation.to == ["nouvelle@partenaire.example"]
    link = re.search(r"https?://[^/]+(/mon-profil/adresse-mail/confirmer/\S+/)", confirmation.body).group(1)

    page.goto(link)
    expect(page.locator(".message-success")).to_contain_text("Votre adresse mail est modifiée.")
    expect(page.locator("main")).to_contain_text("nouvelle@partenaire.example")
    assert_accessible(page)
    [notice] = [message for message in mail.outbox if message.to == ["ancienne@partenaire.example"]]
    assert "Si ce n'est pas vous, contactez votre administrateur" in notice.body

    page.goto(link)
    expect(page.locator(".message-error")).to_contain_text("Ce lien de confirmation n'est pas valide ou a expiré.")
