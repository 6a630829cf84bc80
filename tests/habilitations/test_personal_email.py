"""Issue 23.2 — a personal address (guide 001: « Chaque utilisateur doit être créé avec une adresse électronique
personnelle »): an address another open account has is refused at creation, import and "Modifier l'adresse mail";
closed accounts do not count; a trigger holds the rule against concurrent writes; "Mot de passe oublié ?" resets one
account, and asks the identifiant while an address still has several (listed by `manage.py duplicate_emails`)."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from habilitations import services
from habilitations.accounts import EMAIL_IN_USE
from habilitations.models import User
from habilitations.selectors import email_holders, shared_emails
from tests.factories import TEST_PASSWORD, GroupFactory, OrganismFactory, UserFactory
from tests.portal.test_password_forgotten import ask

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)
TAKEN = "claire.bernard@partenaire.example"


def legacy_duplicate(user: User, email: str) -> None:
    """Give `user` an address another open account has, as accounts created before the rule may (triggers off for
    this one write: the session as a replica's)."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        User.objects.filter(pk=user.pk).update(email=email)
        cursor.execute("SET session_replication_role = origin")
    user.refresh_from_db()


def create(email, **kwargs):
    return services.partner_user_create(
        organism=kwargs.pop("organism", None) or OrganismFactory(), nom="Roux", prenom="Ana", email=email, **kwargs
    )


@pytest.mark.parametrize("typed", [TAKEN, TAKEN.upper(), "Claire.Bernard@Partenaire.Example"])
def test_an_address_of_another_open_account_is_refused_whatever_its_case(typed):
    UserFactory(email=TAKEN)
    before = User.objects.count()
    with pytest.raises(ValidationError) as refused:
        create(typed)
    assert refused.value.message_dict == {"email": [EMAIL_IN_USE]}
    assert User.objects.count() == before


@pytest.mark.parametrize(
    "holder, counts",
    [
        ({"date_cloture": TODAY() + DAY}, True),  # closes tomorrow: still open today
        ({"date_ouverture": TODAY() + 10 * DAY}, True),  # opens later: the address is already taken
        ({"date_cloture": TODAY()}, False),  # closed today
        ({"date_cloture": TODAY() - DAY}, False),
        ({"is_active": False}, False),
    ],
    ids=["closes-tomorrow", "opens-later", "closed-today", "closed-yesterday", "inactive"],
)
def test_closed_accounts_do_not_count(holder, counts):
    UserFactory(email=TAKEN, **holder)
    if counts:
        with pytest.raises(ValidationError, match="déjà celle d'un autre compte ouvert"):
            create(TAKEN)
    else:
        assert create(TAKEN).email == TAKEN


def test_modifier_un_utilisateur_refuses_a_taken_address_and_keeps_its_own_in_another_case():
    UserFactory(email=TAKEN)
    user = UserFactory(email="ana.roux@partenaire.example")
    with pytest.raises(ValidationError) as refused:
        services.partner_user_update(user, email=TAKEN.upper())
    assert refused.value.message_dict == {"email": [EMAIL_IN_USE]}
    assert User.objects.get(pk=user.pk).email == "ana.roux@partenaire.example"
    assert (
        services.partner_user_update(user, email="Ana.Roux@partenaire.example").email == "Ana.Roux@partenaire.example"
    )


def test_a_closed_account_is_not_reopened_with_an_address_taken_since():
    closed = UserFactory(email=TAKEN, closed=True)
    UserFactory(email=TAKEN)  # the address went to a new account
    with pytest.raises(ValidationError, match="déjà celle d'un autre compte ouvert"):
        services.partner_user_update(closed, date_cloture=None)
    assert User.objects.get(pk=closed.pk).date_cloture is not None


def test_the_database_refuses_a_second_open_account_with_the_address():
    UserFactory(email=TAKEN)
    with pytest.raises(IntegrityError, match="user_email_personal"), transaction.atomic():
        UserFactory(email=TAKEN.upper())
    closed = UserFactory(email="autre@partenaire.example", closed=True)
    with pytest.raises(IntegrityError, match="user_email_personal"), transaction.atomic():
        User.objects.filter(pk=closed.pk).update(email=TAKEN)  # a closed one may not take it and reopen
        User.objects.filter(pk=closed.pk).update(date_cloture=None)
    assert UserFactory(email=TAKEN, closed=True)  # a closed account holds no address


def test_accounts_that_already_share_an_address_stay_writable_until_corrected():
    first, second = UserFactory(email=TAKEN), UserFactory()
    legacy_duplicate(second, TAKEN.upper())
    second.telephone = "06 12 34 56 78"
    second.save(update_fields=["telephone"])
    assert services.partner_user_update(second, date_cloture=TODAY() + 30 * DAY).date_cloture == TODAY() + 30 * DAY
    assert set(email_holders(TAKEN)) == {first, second}


def test_an_account_with_the_responsables_own_address_keeps_the_self_grant_message_first():
    group = GroupFactory()
    with pytest.raises(ValidationError) as refused:
        create(group.responsable.email, organism=group.convention.organism, group=group, actor=group.responsable)
    assert refused.value.message_dict == {"user": [services.SELF_GRANT_EMAIL_REFUSED]}


# --- "Modifier l'adresse mail" (Mon profil) ------------------------------------------------------------------


def test_modifier_l_adresse_mail_refuses_another_open_accounts_address(client, login, user):
    UserFactory(email=TAKEN)
    login(user)
    response = client.post(
        "/mon-profil/adresse-mail/",
        {"email": TAKEN.upper(), "email_confirm": TAKEN, "current_password": TEST_PASSWORD},
    )
    assert response.status_code == 200
    assert "Cette adresse mail est déjà celle d&#x27;un autre compte ouvert du portail" in response.content.decode()
    assert mail.outbox == []


def test_the_confirmation_link_is_refused_when_the_address_was_taken_since(
    client, login, user, django_capture_on_commit_callbacks
):
    login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/mon-profil/adresse-mail/",
            {"email": TAKEN, "email_confirm": TAKEN, "current_password": TEST_PASSWORD},
        )
    link = re.search(r"https?://[^/]+(/mon-profil/adresse-mail/confirmer/\S+/)", mail.outbox[0].body).group(1)
    UserFactory(email=TAKEN)  # meanwhile
    response = client.get(link, follow=True)
    assert "déjà celle d&#x27;un autre compte ouvert du portail" in response.content.decode()
    assert User.objects.get(pk=user.pk).email != TAKEN


# --- "Mot de passe oublié ?" ---------------------------------------------------------------------------------


def _ask(client, email, identifiant=""):
    return ask(client, email, extra={"identifiant": identifiant})


def test_one_account_one_reset(client, django_capture_on_commit_callbacks):
    user = UserFactory(email=TAKEN)
    UserFactory(email="autre@partenaire.example")
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, TAKEN.upper())
    assert [m.to for m in mail.outbox] == [[TAKEN]]
    assert "mot de passe provisoire" in mail.outbox[0].body
    user.refresh_from_db()
    assert user.has_provisional_password


def test_an_address_of_several_accounts_asks_the_identifiant_and_resets_nothing(
    client, django_capture_on_commit_callbacks
):
    first, second = UserFactory(email=TAKEN), UserFactory()
    legacy_duplicate(second, TAKEN)
    UserFactory(email="x@partenaire.example", closed=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, TAKEN)
    assert response.redirect_chain == [("/mot-de-passe-oublie/envoye/", 302)]
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "Mon Compte Partenaire : plusieurs comptes utilisent votre adresse mail"
    assert first.identifiant in body and second.identifiant in body and "Aucun mot de passe n'a été modifié" in body
    assert not User.objects.filter(pk__in=[first.pk, second.pk], provisional_password_expires_at__isnull=False)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, TAKEN, identifiant=second.identifiant.lower())
    assert len(mail.outbox) == 1 and "mot de passe provisoire" in mail.outbox[0].body
    assert User.objects.get(pk=second.pk).has_provisional_password
    assert not User.objects.get(pk=first.pk).has_provisional_password


def test_an_identifiant_of_another_address_gets_nothing(client, django_capture_on_commit_callbacks):
    UserFactory(email=TAKEN)
    other = UserFactory(email="autre@partenaire.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, TAKEN, identifiant=other.identifiant)
    assert response.redirect_chain == [("/mot-de-passe-oublie/envoye/", 302)]
    assert mail.outbox == []


def test_the_form_offers_the_identifiant(client):
    page = client.get("/mot-de-passe-oublie/").content.decode()
    assert "Identifiant (facultatif)" in page and 'name="identifiant"' in page


# --- The agents' list of shared addresses ---------------------------------------------------------------------


def test_duplicate_emails_lists_the_addresses_several_open_accounts_share():
    first, second, closed = UserFactory(email=TAKEN), UserFactory(), UserFactory(closed=True)
    legacy_duplicate(second, TAKEN.upper())
    legacy_duplicate(closed, TAKEN)  # closed: not listed
    UserFactory(email="seule@partenaire.example")
    assert shared_emails() == [(TAKEN, sorted([first, second], key=lambda u: u.identifiant))]
    assert shared_emails(caf_code="831") == []
    out = io.StringIO()
    call_command("duplicate_emails", stdout=out)
    text = out.getvalue()
    assert f"{TAKEN} : 2 comptes ouverts" in text
    assert first.identifiant in text and second.identifiant in text and closed.identifiant not in text
    assert "1 adresse partagée par plusieurs comptes ouverts." in text


def test_duplicate_emails_says_when_there_is_none_and_refuses_an_unknown_caf():
    out = io.StringIO()
    call_command("duplicate_emails", stdout=out)
    assert "Aucune adresse mail n'est partagée par plusieurs comptes ouverts." in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Aucune Caf n'a le code « 999 »."):
        call_command("duplicate_emails", "--caf", "999")
