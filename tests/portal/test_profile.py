import re

import pytest
from django.core import mail

from habilitations.journal import Event, JournalEntry
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_profile_shows_identity_and_recent_logins(client, login, user):
    login(user)
    content = client.get("/mon-profil/").content.decode()
    assert user.identifiant in content and user.email in content
    assert "Dernières connexions" in content and "127.0.0.1" in content


def test_email_change_needs_the_confirmation_link_sent_to_the_new_address(
    client, login, user, django_capture_on_commit_callbacks
):
    login(user)
    old = user.email
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/mon-profil/adresse-mail/",
            {
                "email": "nouvelle@partenaire.example",
                "email_confirm": "nouvelle@partenaire.example",
                "current_password": TEST_PASSWORD,
            },
        )
    assert response["Location"] == "/mon-profil/"
    user.refresh_from_db()
    assert user.email == old
    assert mail.outbox[0].to == ["nouvelle@partenaire.example"]
    link = re.search(r"https?://[^/]+(/mon-profil/adresse-mail/confirmer/\S+/)", mail.outbox[0].body).group(1)
    other = UserFactory()
    client.post("/deconnexion/")
    login(other)
    client.get(link)
    other.refresh_from_db()
    assert other.email != "nouvelle@partenaire.example"  # another account cannot use the link
    client.post("/deconnexion/")
    login(user)
    client.get(link)
    user.refresh_from_db()
    assert user.email == "nouvelle@partenaire.example"
    entry = JournalEntry.objects.get(event=Event.PROFILE_CHANGED, user=user)
    assert entry.data == {"field": "email", "before": old, "after": "nouvelle@partenaire.example"}


def test_email_confirmation_must_match(client, login, user):
    login(user)
    response = client.post("/mon-profil/adresse-mail/", {"email": "a@b.example", "email_confirm": "c@d.example"})
    assert "Les deux adresses mail ne sont pas identiques." in response.content.decode()


def test_tampered_confirmation_link_is_refused(client, login, user):
    login(user)
    response = client.get("/mon-profil/adresse-mail/confirmer/abc:def:ghi/", follow=True)
    assert "n&#x27;est pas valide ou a expiré" in response.content.decode()


def test_phone_change_with_confirmation(client, login, user):
    login(user)
    response = client.post(
        "/mon-profil/telephone/", {"telephone": "01 23 45 67 89", "telephone_confirm": "01 23 45 67 88"}
    )
    assert "Les deux numéros de téléphone ne sont pas identiques." in response.content.decode()
    client.post(
        "/mon-profil/telephone/",
        {"telephone": "01 23 45 67 89", "telephone_confirm": "01 23 45 67 89", "current_password": TEST_PASSWORD},
    )
    user.refresh_from_db()
    assert user.telephone == "01 23 45 67 89"


def test_the_two_phone_fields_match_whatever_the_spaces_and_dots(client, login, user):
    login(user)
    response = client.post(
        "/mon-profil/telephone/",
        {"telephone": "01 23 45 67 89", "telephone_confirm": "01.23.45.67.89", "current_password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.telephone == "01 23 45 67 89"


def test_recent_logins_show_a_readable_browser_and_system(client, login, user):
    chrome = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
        "Safari/537.36"
    )
    client.defaults["HTTP_USER_AGENT"] = chrome
    login(user)
    page = client.get("/mon-profil/").content.decode()
    assert "<td>Chrome 120 sur Windows</td>" in page and "AppleWebKit" not in page


@pytest.mark.parametrize(
    ("user_agent", "readable"),
    [
        ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox 121 sur Linux"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
            "Safari/605.1.15",
            "Safari 17 sur macOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
            "Safari/537.36 Edg/120.0.2210.91",
            "Edge 120 sur Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.1 Mobile/15E148 Safari/604.1",
            "Safari 17 sur iOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/119.0 Mobile Safari/537.36",
            "Chrome 119 sur Android",
        ),
        ("curl/8.4.0", "Navigateur inconnu"),
        ("", "Navigateur inconnu"),
    ],
)
def test_readable_user_agent(user_agent, readable):
    from portal.useragent import readable_user_agent

    assert readable_user_agent(user_agent) == readable
