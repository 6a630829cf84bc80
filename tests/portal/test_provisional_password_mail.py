"""The provisional-password e-mail tells the truth: the previous password stops working when it is sent, so it must
not say « votre mot de passe actuel reste valable » (it did), and it says what to do if the request was not yours."""

import pytest
from django.core import mail

from tests.factories import TEST_PASSWORD, UserFactory
from tests.portal.test_password_forgotten import ask

pytestmark = pytest.mark.django_db


def test_the_previous_password_stops_working_and_the_email_says_so(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="agent.social@partenaire.example")
    assert user.check_password(TEST_PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, user.email)
    (message,) = mail.outbox
    user.refresh_from_db()
    assert not user.check_password(TEST_PASSWORD)
    html = message.alternatives[0][0] if message.alternatives else ""
    for body in (" ".join(message.body.split()), " ".join(html.split())):
        assert "reste valable" not in body
        assert "remplace votre mot de passe précédent, qui ne fonctionne plus" in body
        assert "prévenez l'administrateur de votre organisme" in body


def test_plain_text_emails_show_names_as_typed(client, django_capture_on_commit_callbacks):
    """A plain-text e-mail is not HTML: « D'Artagnan » must not arrive as « D&#x27;Artagnan »."""
    user = UserFactory(email="d.artagnan@partenaire.example", nom="D'Artagnan", prenom="Chloé <Anne>")
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, user.email)
    (message,) = mail.outbox
    assert "Bonjour Chloé <Anne> D'ARTAGNAN," in message.body
    assert "&#x27;" not in message.body and "&lt;" not in message.body
    html = message.alternatives[0][0]
    assert "D&#x27;ARTAGNAN" in html and "Chloé &lt;Anne&gt;" in html  # the HTML part stays escaped
