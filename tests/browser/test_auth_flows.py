"""The guides' authentication flows in a real browser: first login, forgotten password, lockout."""

import re

import pytest
from captcha.models import CaptchaStore
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROVISIONAL = "Provis-Mcp#2468"
PERSONAL = "Jardin-Vert#2031"


def test_first_login_with_a_provisional_password(page, login_as):
    user = UserFactory(provisional=True, password=PROVISIONAL)
    login_as(user, PROVISIONAL)
    expect(page).to_have_url(re.compile(r"/premiere-connexion/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("CHOISIR VOTRE MOT DE PASSE")
    assert_accessible(page)

    # Every other page sends the user back here until a personal password is chosen.
    page.goto("/accueil/")
    expect(page).to_have_url(re.compile(r"/premiere-connexion/$"))

    # A weak password: the French rule, next to the field, and in the error summary.
    page.locator("#id_new_password1").fill("abc")
    page.locator("#id_new_password2").fill("abc")
    page.get_by_role("button", name="Valider").click()
    field = page.locator(".field-error", has=page.locator("#id_new_password1"))
    expect(field).to_contain_text("entre 8 et 32 caractères")
    expect(page.locator(".error-summary")).to_be_focused()
    assert_accessible(page)

    page.locator("#id_new_password1").fill(PERSONAL)
    page.locator("#id_new_password2").fill(PERSONAL)
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(re.compile(r"/accueil/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("BIENVENUE")
    expect(page.locator("#aucun-service")).to_contain_text("contactez l'administrateur")
    expect(page.locator(".message-success")).to_contain_text("mot de passe personnel est enregistré")
    assert_accessible(page)

    user.refresh_from_db()
    assert user.check_password(PERSONAL)
    assert not user.has_provisional_password

    # The left menu moves above the content on a small screen, without horizontal scrolling.
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)


def _captcha_answer(page) -> str:
    key = page.locator("input[name='captcha_0']").input_value()
    return CaptchaStore.objects.get(hashkey=key).challenge


def test_forgotten_password_sends_a_provisional_password(page, login_as):
    user = UserFactory(email="referente@ccas-nice.example")
    page.goto("/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("MOT DE PASSE OUBLIÉ ?")
    assert_accessible(page)

    # The "new image" button is shown by the script and swaps the image and its hidden key.
    key_input = page.locator("input[name='captcha_0']")
    old_key = key_input.input_value()
    old_src = page.locator("img.captcha").get_attribute("src")
    refresh = page.get_by_role("button", name="Obtenir une nouvelle image")
    expect(refresh).to_be_visible()
    refresh.click()
    expect(key_input).not_to_have_value(old_key)
    new_key = key_input.input_value()
    expect(page.locator("img.captcha")).not_to_have_attribute("src", old_src)
    assert new_key in page.locator("img.captcha").get_attribute("src")
    assert_accessible(page)

    # A wrong captcha answer: a French error and no e-mail.
    page.get_by_label("Adresse mail").fill(user.email)
    page.get_by_role("textbox", name=re.compile("Recopiez les caractères")).fill("zzzzzz")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator(".error-summary")).to_contain_text("ne correspondent pas à l'image")
    assert_accessible(page)
    assert mail.outbox == []

    page.get_by_label("Adresse mail").fill(user.email)
    page.get_by_role("textbox", name=re.compile("Recopiez les caractères")).fill(_captcha_answer(page))
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(re.compile(r"/mot-de-passe-oublie/envoye/$"))
    expect(page.locator("main")).to_contain_text("un mot de passe provisoire")
    assert_accessible(page)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    match = re.search(r"mot de passe provisoire pour Mon Compte Partenaire : (\S+)", message.body)
    assert match, message.body
    provisional = match.group(1)

    login_as(user, provisional)
    expect(page).to_have_url(re.compile(r"/premiere-connexion/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("CHOISIR VOTRE MOT DE PASSE")
    assert_accessible(page)


def test_forgotten_password_for_an_unknown_address_answers_the_same(page):
    page.goto("/mot-de-passe-oublie/")
    page.get_by_label("Adresse mail").fill("inconnu@nulle-part.example")
    page.get_by_role("textbox", name=re.compile("Recopiez les caractères")).fill(_captcha_answer(page))
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(re.compile(r"/mot-de-passe-oublie/envoye/$"))
    expect(page.locator("main")).to_contain_text("Si cette adresse correspond à un compte ouvert")
    assert_accessible(page)
    assert mail.outbox == []


def test_five_failures_lock_the_identifiant(page, login_as):
    user = UserFactory()
    for attempt in range(4):
        login_as(user, f"Mauvais-Mdp#{attempt}", check=attempt == 0)
        expect(page.locator(".error-summary")).to_contain_text("Identifiant ou mot de passe incorrect.")
        expect(page.locator("#lockout")).to_have_count(0)
    assert_accessible(page)

    login_as(user, "Mauvais-Mdp#5", check=False)
    login_as(user, check=False)  # the right password, too late
    expect(page).to_have_url(re.compile(r"/connexion/$"))
    expect(page.locator("#lockout")).to_contain_text("verrouillé pendant 15 minutes")
    expect(page.locator("#lockout").get_by_text("Mot de passe oublié ?")).to_have_count(1)
    assert_accessible(page)

    # Still refused on the next page load: nobody is logged in.
    page.goto("/accueil/")
    expect(page).to_have_url(re.compile(r"/connexion/"))
