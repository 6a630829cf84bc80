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
