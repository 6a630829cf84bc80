"""The monthly reminder of the habilitations not used for 12 months (issue 23.3): counted per service, each
administrator once a month, with the link to « Habilitations non utilisées depuis 12 mois »."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from core.mail.models import OutgoingEmail
from habilitations import reminders, selectors, tasks
from habilitations.journal import Event
from habilitations.models import OrganismAdministrator
from tests.factories import ConventionFactory, GroupFactory, UserFactory, grant, member
from tests.habilitations.test_conventions_views import administrator_of
from tests.habilitations.test_service_use import DAY, LONG_AGO, TODAY, Old, used

pytestmark = pytest.mark.django_db

KIND = reminders.UNUSED_EMAIL_KIND


@pytest.fixture
def old():
    old = Old()
    old.admin = administrator_of(old.organism, nom="Cervayne", prenom="Lisa")
    return old


def test_the_administrator_is_told_each_unused_service_once_a_month(old, django_capture_on_commit_callbacks):
    used(old.user, 366)
    recent = old.new_user(nom="Lacroix")
    member(recent, old.t1, date_ouverture=TODAY() - 500 * DAY)
    used(recent, 365)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.unused_reminders_send() == 1
    (message,) = mail.outbox
    assert message.to == [old.admin.email]
    assert message.subject == "Mon Compte Partenaire : habilitations non utilisées depuis 12 mois"
    body = message.body
    assert f"n'ont pas été utilisées depuis le {selectors.use_cutoff():%d/%m/%Y}" in body
    assert (
        f"- DUPUIS Martin ({old.user.identifiant}), groupe T1 - CDAP T1 : Consulter Dossier (dernière utilisation le "
        f"{TODAY() - 366 * DAY:%d/%m/%Y})" in body
    )
    assert recent.identifiant not in body
    assert f"/gestion-des-habilitations/conventions/{old.convention.pk}/habilitations-non-utilisees/" in body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and old.user.identifiant in html
    assert OutgoingEmail.objects.get(kind=KIND).key == f"unused:{old.admin.pk}:{TODAY():%Y-%m}"
    assert OutgoingEmail.objects.get(kind=KIND).bulk

    # Again this month: nothing; next month: again.
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.unused_reminders_send() == 0
        assert reminders.unused_reminders_send(day=TODAY() + 31 * DAY) == 1
    assert len(mail.outbox) == 2


def test_another_service_used_does_not_hide_the_unused_one(old, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setitem(selectors.SERVICE_USE_EVENTS, "AFAS", frozenset({"afas.declaration"}))
    member(old.user, old.afas, date_ouverture=TODAY() - 500 * DAY)
    used(old.user, 3, "afas.declaration")
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.unused_reminders_send() == 1
    body = mail.outbox[0].body
    assert "groupe T1 - CDAP T1 : Consulter Dossier (jamais utilisé)" in body
    assert f"groupe {old.afas.code} - " not in body


def test_each_organism_tells_its_own_administrators_and_closed_ones_nothing(old, django_capture_on_commit_callbacks):
    other = ConventionFactory(date_ouverture=TODAY() - LONG_AGO)
    group = GroupFactory(code="T1", convention=other, date_ouverture=TODAY() - LONG_AGO)
    grant(group, "T1-ASS")
    other_admin = administrator_of(other.organism)
    other_user = UserFactory(organism=other.organism, date_ouverture=TODAY() - LONG_AGO)
    member(other_user, group, date_ouverture=TODAY() - 500 * DAY)
    OrganismAdministrator.objects.filter(user=old.admin).update(date_cloture=TODAY())
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.unused_reminders_send() == 1
    (message,) = mail.outbox
    assert message.to == [other_admin.email]
    assert other_user.identifiant in message.body and old.user.identifiant not in message.body


def test_nothing_unused_sends_nothing(old):
    used(old.user, 10, Event.CDAP_RUBRIC)
    assert reminders.unused_reminders_send() == 0
    assert not OutgoingEmail.objects.filter(kind=KIND).exists()


def test_a_long_list_names_the_first_fifty(old, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(reminders, "UNUSED_LISTED_PER_ORGANISM", 1)
    member(old.new_user(nom="Zola"), old.t1, date_ouverture=TODAY() - 500 * DAY)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.unused_reminders_send()
    assert "… et 1 autre appartenance." in mail.outbox[0].body


def test_the_task_and_the_command(old, django_capture_on_commit_callbacks):
    out = io.StringIO()
    call_command("send_yearly_connection_reminders", "--dry-run", stdout=out)
    assert "1 courriel de rappel mis en envoi." in out.getvalue() and "rien n'a été enregistré" in out.getvalue()
    assert not OutgoingEmail.objects.filter(kind=KIND).exists()
    assert tasks.unused_reminders_send.apply(args=[TODAY().isoformat()]).get() == 1
    call_command("send_yearly_connection_reminders", stdout=out)
    assert "0 courriel de rappel mis en envoi." in out.getvalue()
