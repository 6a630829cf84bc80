"""« Contacter ma Caf » in the browser (issue 21.15): from the menu, the sender shown from the account, a refusal
next to its field, the message sent; axe-core clean; 320 and 1280 px screenshots."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.factories import habilitated_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_user_writes_to_their_caf_from_the_menu(page, login_as):
    user, _ = habilitated_user("T1-ASS", nom="Garrigues", prenom="Mélanie")
    caf = user.caf
    caf.centre_services_email = "centre-de-services@caf.example"
    caf.save()
    login_as(user)
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="CONTACTER MA CAF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CONTACTER MA CAF")
    expect(page.get_by_role("region", name="Expéditeur")).to_contain_text(user.identifiant)
    page.get_by_label("Message").fill("Bonjour, je n'accède plus à Consulter Dossier.")
    page.get_by_role("button", name="Envoyer le message").click()
    expect(page.locator("#id_objet_error")).to_contain_text("Saisissez l'objet.")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/h21b-caf-contact-{width}.png", full_page=True)
    page.get_by_label("Objet").fill("Accès à Consulter Dossier")
    page.get_by_role("button", name="Envoyer le message").click()
    expect(page.locator(".message-success")).to_contain_text("Votre message a bien été transmis")
    assert_accessible(page)
    assert [m.to for m in mail.outbox] == [["centre-de-services@caf.example"]]
