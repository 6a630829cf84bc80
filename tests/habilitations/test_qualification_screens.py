"""The qualification attested on the partners' screens (guide 000: « pour un profil T1, je dois m'assurer que les
utilisateurs soient détenteurs d'un diplôme relevant de ce profil », issue 21.18): adding a user to a group that
gives a CDAP profile — « AJOUTER UN UTILISATEUR AU GROUPE » or « Créer un utilisateur » into a group — asks the
manager to tick « l'utilisateur détient la qualification requise pour le profil … »; unticked, nothing is written
and the French message sits next to the box; ticked, who and when are kept, journaled and shown in the
membership's history."""

import datetime
import html

import pytest
from django.core import mail

from habilitations.journal import Event, JournalEntry
from habilitations.models import Membership, User
from tests.factories import GroupFactory, grant
from tests.habilitations.test_conventions_views import World, manager_client
from tests.habilitations.test_groups_views import field_errors
from tests.habilitations.test_memberships_views import TODAY, add_form, add_url
from tests.habilitations.test_users_views import create_url, valid_post

pytestmark = pytest.mark.django_db

REFUSAL = "Confirmez que l'utilisateur détient la qualification requise pour le profil T1-ASS."


@pytest.fixture
def world():
    return World()


def text(response) -> str:
    return html.unescape(response.content.decode())


def attested_rows() -> int:
    return JournalEntry.objects.filter(event="hab.qualification_attested").count()


@pytest.mark.parametrize("who", ["admin", "responsable"])
def test_unticked_the_membership_is_refused_next_to_the_box_and_nothing_is_written(
    world, who, django_capture_on_commit_callbacks
):
    client = manager_client(getattr(world, who))
    data = add_form(world.loner, world.t1)
    del data["qualification"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add_url(world), data)
    assert response.status_code == 200
    assert REFUSAL in html.unescape(field_errors(response, "id_qualification"))
    page = text(response)
    box = page.index('name="qualification"')
    assert box < page.index(REFUSAL, box)  # after the box and its label, not only in the summary
    # The label names the group's profile once the group is chosen.
    assert "L'utilisateur détient la qualification requise pour le profil T1-ASS</label>" in page
    assert not Membership.objects.filter(user=world.loner).exists()
    assert not JournalEntry.objects.filter(event=Event.MEMBERSHIP_ADDED, user=world.loner).exists()
    assert attested_rows() == 0 and not mail.outbox


def test_ticked_who_and_when_are_kept_journaled_and_shown_in_the_membership_history(world):
    client = manager_client(world.admin)
    response = client.post(add_url(world), add_form(world.loner, world.t1))
    assert response.status_code == 302
    membership = Membership.objects.get(user=world.loner)
    assert (membership.qualification_profils, membership.qualification_attestee_par) == ("T1-ASS", world.admin)
    entry = JournalEntry.objects.get(event="hab.qualification_attested")
    assert (entry.user, entry.actor, entry.organism) == (world.loner, world.admin, world.organism)
    assert entry.data["profils"] == ["T1-ASS"] and entry.data["membership"] == membership.pk
    page = text(client.get(f"/gestion-des-habilitations/appartenances/{membership.pk}/"))
    assert "Historique de l'appartenance" in page
    assert f"Qualification requise pour le profil T1-ASS attestée le {TODAY():%d/%m/%Y} à " in page.replace("\n", " ")
    assert "par CERVAYNE Lisa." in page


def test_the_link_from_a_group_names_its_profiles_and_its_parents(world):
    child = GroupFactory(code="T1-SUD", libelle="CDAP T1 Sud", convention=world.convention, parent=world.t1)
    grant(child, "T5")
    page = text(manager_client(world.admin).get(add_url(world, f"?group={child.pk}")))
    assert "L'utilisateur détient la qualification requise pour le profil T1-ASS, T5</label>" in page


def test_a_group_without_cdap_profile_needs_no_box(world):
    data = add_form(world.loner, world.afas)
    del data["qualification"]
    assert manager_client(world.admin).post(add_url(world), data).status_code == 302
    membership = Membership.objects.get(user=world.loner, group=world.afas)
    assert membership.qualification_attestee_le is None and attested_rows() == 0


def test_a_date_refusal_and_the_box_are_reported_together(world):
    data = add_form(world.loner, world.t1, date_cloture=(TODAY() - datetime.timedelta(days=1)).isoformat())
    del data["qualification"]
    response = manager_client(world.admin).post(add_url(world), data)
    assert REFUSAL in html.unescape(field_errors(response, "id_qualification"))
    assert "La date de clôture doit être postérieure" in html.unescape(field_errors(response, "id_date_cloture"))
    assert not Membership.objects.filter(user=world.loner).exists()


def test_creating_a_user_into_a_cdap_group_asks_the_box_too(world, django_capture_on_commit_callbacks):
    client = manager_client(world.admin)
    data = valid_post(group=world.t1.pk)
    del data["qualification"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(create_url(world.convention), data)
    assert response.status_code == 200
    assert REFUSAL in html.unescape(field_errors(response, "id_qualification"))
    assert not User.objects.filter(email="x.lagare@partenaires.fr").exists() and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(create_url(world.convention), valid_post(group=world.t1.pk))
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="x.lagare@partenaires.fr")
    assert membership.qualification_attestee_par == world.admin and attested_rows() == 1
