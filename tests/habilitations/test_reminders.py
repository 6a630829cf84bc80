"""Reminders: each organism's open administrators receive, once a day, what closes in exactly 30 days."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.mail.models import OutgoingEmail
from habilitations import reminders, tasks
from habilitations.models import Membership, OrganismAdministrator, User
from tests.factories import ConventionFactory, GroupFactory, UserFactory, member
from tests.habilitations.test_conventions_views import World, administrator_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture
def world():
    world = World()
    in_30 = TODAY() + 30 * DAY
    Membership.objects.filter(user=world.t1_member, group=world.t1).update(date_cloture=in_30)
    User.objects.filter(pk=world.loner.pk).update(date_cloture=in_30)
    # Not in exactly 30 days: not in the reminder.
    Membership.objects.filter(user=world.afas_member).update(date_cloture=TODAY() + 29 * DAY)
    Membership.objects.filter(user=world.other_user).update(date_cloture=TODAY() + 31 * DAY)
    return world


def test_administrators_receive_what_closes_in_30_days_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.reminders_send() == 1
    (message,) = mail.outbox
    assert message.to == [world.admin.email]
    assert message.subject == "Mon Compte Partenaire : habilitations qui se clôturent dans 30 jours"
    body = message.body
    assert f"Le {TODAY() + 30 * DAY:%d/%m/%Y}, dans 30 jours" in body
    assert world.organism.nom in body
    assert f"{world.t1_member.nom.upper()} {world.t1_member.prenom} ({world.t1_member.identifiant})" in body
    assert "dans le groupe T1 - CDAP T1" in body
    assert f"({world.loner.identifiant})" in body
    assert world.afas_member.identifiant not in body and world.other_user.identifiant not in body
    assert f"/gestion-des-habilitations/utilisateurs/{world.t1_member.pk}/appartenances/" in body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and world.t1_member.identifiant in html and "Groupes utilisateurs de" in html
    assert OutgoingEmail.objects.get(kind="closing_reminder").key == f"reminder:{world.admin.pk}:{TODAY().isoformat()}"

    # A second run the same day sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.reminders_send() == 0
    assert len(mail.outbox) == 1 and OutgoingEmail.objects.filter(kind="closing_reminder").count() == 1


def test_each_organism_tells_its_own_administrators_only(world, django_capture_on_commit_callbacks):
    Membership.objects.filter(user=world.other_user).update(date_cloture=TODAY() + 30 * DAY)
    suppleant = administrator_of(world.organism, role="SUPPLEANT")
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.reminders_send() == 3
    by_recipient = {message.to[0]: message.body for message in mail.outbox}
    assert set(by_recipient) == {world.admin.email, suppleant.email, world.other_admin.email}
    assert world.other_user.identifiant in by_recipient[world.other_admin.email]
    assert world.t1_member.identifiant not in by_recipient[world.other_admin.email]
    assert world.other_user.identifiant not in by_recipient[world.admin.email]


def test_closed_administrators_and_plain_responsables_get_nothing(world):
    OrganismAdministrator.objects.filter(user=world.admin).update(date_cloture=TODAY())
    assert reminders.reminders_send() == 0
    assert not OutgoingEmail.objects.filter(kind="closing_reminder").exists()


def test_nothing_closing_sends_nothing(world):
    assert reminders.reminders_send(day=TODAY() + 5 * DAY) == 0


def test_the_celery_task_and_the_daily_beat_entry(world):
    entry = settings.CELERY_BEAT_SCHEDULE["habilitations-closing-reminders"]
    assert entry["task"] == tasks.closing_reminders_send.name == "habilitations.tasks.closing_reminders_send"
    assert (entry["schedule"].hour, entry["schedule"].minute, entry["schedule"].day_of_week) == (
        {6},
        {30},
        set(range(7)),
    )  # every day at 6:30
    assert tasks.closing_reminders_send.delay().get() == 1
    assert tasks.closing_reminders_send.delay(TODAY().isoformat()).get() == 0  # same day: already sent


def test_the_reminder_costs_the_same_reads_for_1_or_11_organisms(world):
    def reads(day):
        with CaptureQueriesContext(connection) as ctx:
            sent = reminders.reminders_send(day=day)
        return sum(q["sql"].startswith("SELECT") for q in ctx.captured_queries), sent

    few = reads(TODAY())
    for _ in range(10):
        convention = ConventionFactory()
        administrator_of(convention.organism)
        group = GroupFactory(convention=convention)
        for _ in range(3):
            member(UserFactory(organism=convention.organism), group, date_cloture=TODAY() + 31 * DAY)
    many = reads(TODAY() + DAY)  # tomorrow's run: what closes in 31 days from today
    assert (few[1], many[1]) == (1, 11)
    assert few[0] == many[0] == 4
