"""Memberships: "AJOUTER UN UTILISATEUR AU GROUPE" (guide 002 N°8–N°10) and "Gérer l'appartenance de
l'utilisateur" (from a user, from a group): dates, "Clôturer", nothing deleted; the responsable's restrictions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from habilitations.journal import Event, JournalEntry
from habilitations.models import Membership, UserGroup
from tests.factories import GroupFactory, UserFactory, member
from tests.habilitations.test_conventions_views import World, manager_client
from tests.habilitations.test_groups_views import counts, field_errors, page

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture
def world():
    return World()


@pytest.fixture
def admin(world):
    return manager_client(world.admin)


@pytest.fixture
def responsable(world):
    return manager_client(world.responsable)


def add_url(world, query=""):
    return f"/gestion-des-habilitations/conventions/{world.convention.pk}/ajouter-au-groupe/{query}"


def add_form(user, group, **changes):
    data = {"user": user.pk, "group": group.pk, "date_ouverture": TODAY().isoformat(), "date_cloture": ""}
    data["qualification"] = "on"  # the manager attests the qualification the CDAP group requires (guide 000)
    data.update(changes)
    return data


def memberships_url(user):
    return f"/gestion-des-habilitations/utilisateurs/{user.pk}/appartenances/"


def update_url(membership):
    return f"/gestion-des-habilitations/appartenances/{membership.pk}/"


# --- AJOUTER UN UTILISATEUR AU GROUPE -----------------------------------------------------------------------


def test_the_form_has_the_guide_fields_and_preselects_user_and_group(world, admin):
    text = page(admin.get(add_url(world, f"?user={world.loner.pk}&group={world.t1.pk}")))
    assert "AJOUTER UN UTILISATEUR AU GROUPE" in text
    assert f"Convention sélectionnée :</dt><dd>{world.convention.libelle}" in text
    assert f"Organisme partenaire :</dt><dd>{world.organism.nom}" in text
    assert "(Choisir un groupe existant)" in text and f'value="{TODAY().isoformat()}"' in text
    assert f'<option value="{world.loner.pk}" selected>' in text
    assert f'<option value="{world.t1.pk}" selected>T1 - CDAP T1</option>' in text
    assert f'<option value="{world.afas.pk}">AFAS-DEC - AFAS Déclarer</option>' in text
    assert f'value="{world.other_user.pk}"' not in text and "AUTRE" not in text
    assert ">Annuler</a>" in text and ">Ajouter au groupe</button>" in text
    # Garbage in the query string preselects nothing and breaks nothing.
    assert admin.get(add_url(world, "?user=abc&group=1%20OR%201")).status_code == 200


def test_administrator_adds_a_user_to_a_group(world, admin):
    response = admin.post(add_url(world), add_form(world.loner, world.afas))
    assert response.status_code == 302 and response["Location"] == memberships_url(world.loner)
    membership = Membership.objects.get(user=world.loner, group=world.afas)
    assert (membership.date_ouverture, membership.date_cloture) == (TODAY(), None)
    assert JournalEntry.objects.filter(event=Event.MEMBERSHIP_ADDED, user=world.loner, actor=world.admin).exists()
    text = page(admin.get(response["Location"]))
    assert "a été ajouté(e) au groupe AFAS-DEC - AFAS Déclarer." in text
    assert '<th scope="row">AFAS-DEC</th>' in text


def test_responsable_adds_any_open_user_of_the_organism_to_their_group_only(world, responsable):
    text = page(responsable.get(add_url(world)))
    assert f'<option value="{world.t1.pk}">' in text and f'value="{world.afas.pk}"' not in text
    assert f'<option value="{world.loner.pk}">' in text  # not a member of any of their groups yet
    assert responsable.post(add_url(world), add_form(world.loner, world.t1)).status_code == 302
    assert Membership.objects.filter(user=world.loner, group=world.t1).exists()
    before = counts()
    response = responsable.post(add_url(world), add_form(world.afas_member, world.afas))
    assert "Choisissez un groupe ouvert dont vous gérez les habilitations." in field_errors(response, "id_group")
    assert counts() == before


@pytest.mark.parametrize(
    "case, field_id, message",
    [
        ("cloture_before_ouverture", "id_date_cloture", "La date de clôture doit être postérieure ou égale"),
        ("after_group_closing", "id_date_ouverture", "comprises dans celles du groupe."),
        ("before_group_opening", "id_date_ouverture", "comprises dans celles du groupe."),
        ("before_user_opening", "id_date_ouverture", "comprises dans celles de l'utilisateur."),
        ("already_member", "id_group", "Cet utilisateur appartient déjà à ce groupe sur cette période."),
        ("other_user", "id_user", "Choisissez un utilisateur ouvert de l'organisme."),
        ("closed_user", "id_user", "Choisissez un utilisateur ouvert de l'organisme."),
        ("other_group", "id_group", "Choisissez un groupe ouvert dont vous gérez les habilitations."),
        ("closed_group", "id_group", "Choisissez un groupe ouvert dont vous gérez les habilitations."),
        ("bad_date", "id_date_ouverture", "Saisissez une date valide"),
        ("no_date", "id_date_ouverture", "Saisissez la date d'ouverture."),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_writes_nothing(world, admin, case, field_id, message):
    user, group, changes = world.loner, world.t1, {}
    if case == "cloture_before_ouverture":
        changes = {"date_cloture": (TODAY() - DAY).isoformat()}
    elif case == "after_group_closing":
        UserGroup.objects.filter(pk=group.pk).update(date_cloture=TODAY() + 10 * DAY)
        changes = {"date_cloture": (TODAY() + 20 * DAY).isoformat()}
    elif case == "before_group_opening":
        changes = {"date_ouverture": (group.date_ouverture - DAY).isoformat()}
    elif case == "before_user_opening":
        changes = {"date_ouverture": (user.date_ouverture - DAY).isoformat()}
    elif case == "already_member":
        user = world.t1_member
    elif case == "other_user":
        user = world.other_user
    elif case == "closed_user":
        user = UserFactory(organism=world.organism, closed=True)
    elif case == "other_group":
        group = world.other_group
    elif case == "closed_group":
        UserGroup.objects.filter(pk=group.pk).update(date_cloture=TODAY())
    elif case == "bad_date":
        changes = {"date_ouverture": "32/01/2026"}
    elif case == "no_date":
        changes = {"date_ouverture": ""}
    before = counts()
    response = admin.post(add_url(world), add_form(user, group, **changes))
    assert response.status_code == 200
    assert message in field_errors(response, field_id), page(response)[:3000]
    assert counts() == before


def test_extra_post_fields_are_ignored(world, admin):
    data = add_form(world.loner, world.t1, organism=world.other_organism.pk, convention=world.other_convention.pk)
    data.update(is_staff="on", is_partner_admin="on", user_id=world.other_user.pk)
    assert admin.post(add_url(world), data).status_code == 302
    assert list(Membership.objects.filter(user=world.loner).values_list("group", flat=True)) == [world.t1.pk]
    world.loner.refresh_from_db()
    assert not world.loner.is_staff and not world.loner.is_partner_admin


def test_another_organisms_convention_answers_404(world, admin):
    url = f"/gestion-des-habilitations/conventions/{world.other_convention.pk}/ajouter-au-groupe/"
    assert admin.get(url).status_code == 404
    assert admin.post(url, add_form(world.other_user, world.other_group)).status_code == 404
    assert not Membership.objects.filter(group=world.other_group).exclude(user=world.other_user).exists()


# --- Gérer l'appartenance de l'utilisateur ------------------------------------------------------------------


def test_user_memberships_lists_every_membership_with_dates_and_actions(world, admin):
    old = member(world.t1_member, world.afas, date_cloture=TODAY() - 5 * DAY)
    text = page(admin.get(memberships_url(world.t1_member)))
    assert "GÉRER L'APPARTENANCE DE L'UTILISATEUR" in text and world.t1_member.identifiant in text
    assert '<th scope="row">T1</th>' in text and '<th scope="row">AFAS-DEC</th>' in text
    assert f"{old.date_cloture:%d/%m/%Y}" in text and "Clôturé" in text and "Ouvert" in text
    assert text.count(">Clôturer<") == 1  # only the open one can be closed
    assert text.count(">Enregistrer</button>") == 2


def test_responsable_sees_only_the_memberships_of_their_groups(world, responsable):
    member(world.t1_member, world.afas)
    text = page(responsable.get(memberships_url(world.t1_member)))
    assert '<th scope="row">T1</th>' in text and "AFAS-DEC" not in text
    assert responsable.get(memberships_url(world.afas_member)).status_code == 404  # not in their groups
    assert responsable.get(memberships_url(world.other_user)).status_code == 404


def test_user_memberships_of_another_organism_answers_404(world, admin):
    assert admin.get(memberships_url(world.other_user)).status_code == 404


def test_change_the_dates_of_a_membership(world, admin):
    membership = Membership.objects.get(user=world.t1_member, group=world.t1)
    closing = TODAY() + 40 * DAY
    response = admin.post(
        update_url(membership),
        {
            "action": "enregistrer",
            "date_ouverture": membership.date_ouverture.isoformat(),
            "date_cloture": closing.isoformat(),
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302 and response["Location"] == memberships_url(world.t1_member)
    membership.refresh_from_db()
    assert membership.date_cloture == closing
    assert "a été modifiée." in page(admin.get(response["Location"]))


def test_cloturer_closes_today_and_keeps_the_history(world, admin):
    membership = Membership.objects.get(user=world.t1_member, group=world.t1)
    next_url = f"/gestion-des-habilitations/groupes/{world.t1.pk}/appartenances/"
    response = admin.post(update_url(membership), {"action": "cloturer", "next": next_url})
    assert response["Location"] == next_url
    membership.refresh_from_db()
    assert membership.date_cloture == TODAY() and Membership.objects.filter(pk=membership.pk).exists()
    assert JournalEntry.objects.filter(event=Event.MEMBERSHIP_CLOSED, user=world.t1_member).exists()
    # A second "Clôturer" does not move the closing date.
    response = admin.post(update_url(membership), {"action": "cloturer"})
    assert response.status_code == 200 and "Cette appartenance est déjà clôturée." in page(response)
    membership.refresh_from_db()
    assert membership.date_cloture == TODAY()


@pytest.mark.parametrize(
    "dates, field_id, message",
    [
        ({"date_cloture": "2000-01-01"}, "id_date_cloture", "La date de clôture doit être postérieure"),
        ({"date_ouverture": ""}, "id_date_ouverture", "Saisissez la date d'ouverture."),
        ({"date_ouverture": "demain"}, "id_date_ouverture", "Saisissez une date valide"),
        ("before_group", "id_date_ouverture", "comprises dans celles du groupe."),
    ],
)
def test_bad_dates_are_refused_and_change_nothing(world, admin, dates, field_id, message):
    membership = Membership.objects.get(user=world.t1_member, group=world.t1)
    data = {"action": "enregistrer", "date_ouverture": membership.date_ouverture.isoformat(), "date_cloture": ""}
    if dates == "before_group":
        dates = {"date_ouverture": (world.t1.date_ouverture - DAY).isoformat()}
    data.update(dates)
    response = admin.post(update_url(membership), data)
    assert response.status_code == 200
    assert message in field_errors(response, field_id.replace("id_", f"id_m{membership.pk}_"))
    assert Membership.objects.get(pk=membership.pk).date_cloture is None
    assert Membership.objects.get(pk=membership.pk).date_ouverture == membership.date_ouverture


def test_overlapping_another_membership_is_refused(world, admin):
    first = Membership.objects.get(user=world.t1_member, group=world.t1)
    first.date_cloture = TODAY() + 10 * DAY
    first.save()
    later = member(world.t1_member, world.t1, date_ouverture=TODAY() + 20 * DAY)
    response = admin.post(
        update_url(later),
        {"action": "enregistrer", "date_ouverture": (TODAY() + 5 * DAY).isoformat(), "date_cloture": ""},
    )
    assert "Cet utilisateur appartient déjà à ce groupe sur cette période." in page(response)
    later.refresh_from_db()
    assert later.date_ouverture == TODAY() + 20 * DAY


def test_responsable_manages_the_memberships_of_their_groups_only(world, responsable):
    mine = Membership.objects.get(user=world.t1_member, group=world.t1)
    theirs = Membership.objects.get(user=world.afas_member, group=world.afas)
    other = Membership.objects.get(user=world.other_user, group=world.other_group)
    assert responsable.get(update_url(mine)).status_code == 200
    assert responsable.post(update_url(theirs), {"action": "cloturer"}).status_code == 404
    assert responsable.post(update_url(other), {"action": "cloturer"}).status_code == 404
    assert responsable.post(update_url(mine), {"action": "cloturer"}).status_code == 302
    assert Membership.objects.filter(date_cloture=TODAY()).count() == 1


def test_an_administrator_gets_404_for_another_organisms_membership(world, admin):
    other = Membership.objects.get(user=world.other_user, group=world.other_group)
    assert admin.get(update_url(other)).status_code == 404
    assert admin.post(update_url(other), {"action": "cloturer"}).status_code == 404
    other.refresh_from_db()
    assert other.date_cloture is None


# --- From a group -------------------------------------------------------------------------------------------


def group_memberships_url(group, query=""):
    return f"/gestion-des-habilitations/groupes/{group.pk}/appartenances/{query}"


def test_group_memberships_lists_the_members_and_the_history_on_demand(world, admin):
    gone = UserFactory(organism=world.organism, nom="Parti")
    member(gone, world.t1, date_cloture=TODAY() - DAY)
    text = page(admin.get(group_memberships_url(world.t1)))
    assert world.t1_member.identifiant in text and gone.identifiant not in text
    assert "Ajouter l'utilisateur au groupe" in text
    text = page(admin.get(group_memberships_url(world.t1, "?historique=1")))
    assert gone.identifiant in text and "Masquer les appartenances clôturées" in text


def test_group_memberships_scope(world, responsable, admin):
    assert responsable.get(group_memberships_url(world.t1)).status_code == 200
    assert responsable.get(group_memberships_url(world.afas)).status_code == 404
    assert admin.get(group_memberships_url(world.other_group)).status_code == 404


def test_membership_pages_cost_the_same_for_few_or_many_memberships(world, admin):
    def cost(url):
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get(url).status_code == 200
        return len(ctx)

    many = world.t1_member
    small = (cost(group_memberships_url(world.t1)), cost(memberships_url(many)), cost(add_url(world)))
    for group in GroupFactory.create_batch(30, convention=world.convention, responsable=world.responsable):
        member(many, group)
    for _ in range(40):
        member(UserFactory(organism=world.organism), world.t1)
    large = (cost(group_memberships_url(world.t1)), cost(memberships_url(many)), cost(add_url(world)))
    assert small == large, (small, large)
