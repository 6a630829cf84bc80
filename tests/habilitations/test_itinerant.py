"""Sédentaire / Itinérant (issue 23.4, guide 001:501): recorded by the administrator, shown on the user's detail, and
the control plan's « one user from several IP addresses within one hour » rule does not raise for itinérant users."""

import datetime

import pytest
from django.utils import timezone

from habilitations import selectors
from habilitations.journal import Event, JournalEntry
from habilitations.models import User
from tests.factories import UserFactory
from tests.habilitations.test_conventions_views import World, content, manager_client

pytestmark = pytest.mark.django_db

NOW = timezone.now
MINUTE = datetime.timedelta(minutes=1)


def login(user, at, ip):
    return JournalEntry.objects.create(event=Event.LOGIN_SUCCESS, user=user, at=at, ip=ip)


def test_is_itinerant_follows_the_poste():
    assert selectors.is_itinerant(UserFactory.build(poste=User.Poste.ITINERANT))
    assert not selectors.is_itinerant(UserFactory.build(poste=User.Poste.SEDENTAIRE))
    assert not selectors.is_itinerant(UserFactory.build())  # « Sédentaire » by default


@pytest.mark.parametrize(
    ("poste", "raised"),
    [(User.Poste.SEDENTAIRE, True), (User.Poste.ITINERANT, False)],
    ids=["sedentaire", "itinerant"],
)
def test_two_addresses_within_an_hour_raise_for_a_sedentary_user_only(poste, raised):
    user = UserFactory(poste=poste)
    start = NOW() - 3 * 60 * MINUTE
    first = login(user, start, "192.0.2.10")
    login(user, start + 59 * MINUTE, "198.51.100.7")
    rows = list(selectors.logins_from_several_addresses(since=NOW() - 24 * 60 * MINUTE))
    assert rows == ([first] if raised else [])


@pytest.mark.parametrize(
    ("minutes", "ip", "raised"),
    [(60, "198.51.100.7", True), (61, "198.51.100.7", False), (10, "192.0.2.10", False)],
    ids=["one-hour", "one-hour-and-a-minute", "same-address"],
)
def test_the_rule_s_boundaries(minutes, ip, raised):
    user = UserFactory()
    start = NOW() - 5 * 60 * MINUTE
    first = login(user, start, "192.0.2.10")
    login(user, start + minutes * MINUTE, ip)
    login(UserFactory(), start + MINUTE, "203.0.113.5")  # someone else's login from another address
    assert list(selectors.logins_from_several_addresses(since=start - MINUTE)) == ([first] if raised else [])


def test_the_detail_shows_the_poste_and_the_form_offers_it():
    world = World()
    User.objects.filter(pk=world.t1_member.pk).update(poste=User.Poste.ITINERANT)
    client = manager_client(world.admin)
    detail = content(client.get(f"/gestion-des-habilitations/utilisateurs/{world.t1_member.pk}/"))
    assert "<dt>Poste</dt><dd>Itinérant (poste de travail variable)</dd>" in detail
    form = content(client.get(f"/gestion-des-habilitations/utilisateurs/{world.t1_member.pk}/modifier/"))
    assert "Sédentaire (possède un poste fixe)" in form and "Itinérant (poste de travail variable)" in form
