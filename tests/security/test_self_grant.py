"""Issue 10, finding 1: a delegate cannot grant themselves. A responsable d'habilitations opens, extends or reopens
the memberships of the other users of their groups, never their own (nor one of an account with their e-mail
address); they may only close their own earlier. An administrator of the organism may add themselves, and the
journal row says `self_grant`. The rule lives in the services: the screens and the bulk import obey it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cdap.models import Consultation
from habilitations import imports, services
from habilitations.access.context import access_context_for
from habilitations.journal import Event, JournalEntry
from habilitations.models import Membership, User
from tests.cdap.dossiers import make_dossier
from tests.factories import ConventionFactory, GroupFactory, UserFactory, caf, grant, member
from tests.habilitations.test_conventions_views import administrator_of, manager_client
from tests.habilitations.test_groups_views import counts, field_errors, page
from tests.habilitations.test_imports import HEADER, everything

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)
REFUSED = services.SELF_GRANT_REFUSED
SEARCH_URL = "/consulter-dossier/"
DOSSIER = {"nom": "Lefèvre", "numero": "0610001"}


class Scene:
    """The CD 06 of the demo, reduced: ACC061RESP is responsable of the CDAP group T1 (T1-ASS) without being a
    member; ACC061TASS is a member; ACC061ADMN administers the organism; the Caf 061 holds dossier 0610001."""

    def __init__(self):
        self.convention = ConventionFactory()
        self.organism = self.convention.organism
        self.resp = UserFactory(identifiant="ACC061RESP", nom="BERNARD", prenom="Claire", organism=self.organism)
        self.t1 = GroupFactory(code="T1", libelle="CDAP T1", convention=self.convention, responsable=self.resp)
        grant(self.t1, "T1-ASS")
        self.tass = UserFactory(identifiant="ACC061TASS", nom="LEROY", prenom="Nathalie", organism=self.organism)
        member(self.tass, self.t1)
        self.admin = administrator_of(self.organism, identifiant="ACC061ADMN", nom="CERVAYNE", prenom="Lisa")
        make_dossier(caf("061"), numero=DOSSIER["numero"], nom=DOSSIER["nom"])


@pytest.fixture
def scene():
    return Scene()


def add_url(scene):
    return f"/gestion-des-habilitations/conventions/{scene.convention.pk}/ajouter-au-groupe/"


def add_form(user, group):
    data = {"user": user.pk, "group": group.pk, "date_ouverture": TODAY().isoformat(), "date_cloture": ""}
    return {**data, "qualification": "on"}  # the CDAP group's qualification attested (guide 000)


def update_url(membership):
    return f"/gestion-des-habilitations/appartenances/{membership.pk}/"


def dates_form(membership, **changes):
    data = {
        "action": "enregistrer",
        "date_ouverture": membership.date_ouverture.isoformat(),
        "date_cloture": membership.date_cloture.isoformat() if membership.date_cloture else "",
    }
    data.update(changes)
    return data


def membership_journal(user):
    return JournalEntry.objects.filter(event__startswith="hab.membership", user=user)


# --- The demo scenario, through HTTP ------------------------------------------------------------------------


def test_acc061resp_adding_themselves_to_t1_is_refused_and_opens_no_consultation(scene):
    # The scene is right: a member of T1 finds dossier 0610001.
    member_client = manager_client(scene.tass)
    assert member_client.post(SEARCH_URL, DOSSIER).status_code == 302
    assert Consultation.objects.filter(user=scene.tass, dossier__numero="0610001").exists()

    client = manager_client(scene.resp)
    assert f'<option value="{scene.t1.pk}">T1 - CDAP T1</option>' in page(client.get(add_url(scene)))
    before = counts()
    response = client.post(add_url(scene), add_form(scene.resp, scene.t1))
    assert response.status_code == 200
    assert REFUSED in field_errors(response, "id_user")
    assert counts() == before and not Membership.objects.filter(user=scene.resp).exists()
    assert not membership_journal(scene.resp).exists()
    assert not access_context_for(scene.resp).can_use("CDAP")
    assert client.get(SEARCH_URL).status_code == 403
    assert client.post(SEARCH_URL, DOSSIER).status_code == 403
    assert not Consultation.objects.filter(user=scene.resp).exists()


def test_a_responsable_cannot_create_an_account_with_their_own_address_into_their_group(scene):
    client = manager_client(scene.resp)
    url = f"/gestion-des-habilitations/conventions/{scene.convention.pk}/utilisateurs/creer/"
    data = {
        "nom": "Bernard",
        "prenom": "Claire bis",
        "email": scene.resp.email.upper(),
        "email_confirm": scene.resp.email,
        "telephone": "",
        "telephone_confirm": "",
        "poste": "SEDENTAIRE",
        "date_ouverture": TODAY().isoformat(),
        "date_cloture": "",
        "group": scene.t1.pk,
    }
    before = counts()
    response = client.post(url, data)
    assert response.status_code == 200
    assert services.SELF_GRANT_EMAIL_REFUSED in page(response)
    assert counts() == before
    assert User.objects.filter(email__iexact=scene.resp.email).count() == 1


# --- Their own membership: only closing earlier -------------------------------------------------------------


@pytest.fixture
def own(scene):
    """ACC061RESP is a member of T1 (given by the administrator), until a planned closing in 10 days."""
    return member(scene.resp, scene.t1, date_ouverture=TODAY() - 10 * DAY, date_cloture=TODAY() + 10 * DAY)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"date_cloture": "+30"}, "date_cloture"),  # extend
        ({"date_cloture": ""}, "date_cloture"),  # extend without end
        ({"date_ouverture": "-20"}, "date_ouverture"),  # open earlier
        ({"date_ouverture": "-5"}, "date_ouverture"),  # any other change of the opening
    ],
    ids=["extend", "no_end", "open_earlier", "move_opening"],
)
def test_a_responsable_cannot_extend_or_move_their_own_membership(scene, own, change, field):
    data = dates_form(own, **{k: (TODAY() + int(v) * DAY).isoformat() if v else "" for k, v in change.items()})
    response = manager_client(scene.resp).post(update_url(own), data)
    assert response.status_code == 200
    assert REFUSED in field_errors(response, f"id_m{own.pk}_{field}")
    assert Membership.objects.filter(pk=own.pk, date_ouverture=own.date_ouverture, date_cloture=own.date_cloture)
    assert not membership_journal(scene.resp).exists()


def test_a_responsable_cannot_reopen_their_own_closed_membership(scene):
    closed = member(scene.resp, scene.t1, date_ouverture=TODAY() - 20 * DAY, date_cloture=TODAY() - DAY)
    client = manager_client(scene.resp)
    for reopened in ["", (TODAY() + 30 * DAY).isoformat()]:
        response = client.post(update_url(closed), dates_form(closed, date_cloture=reopened))
        assert REFUSED in field_errors(response, f"id_m{closed.pk}_date_cloture")
    closed.refresh_from_db()
    assert closed.date_cloture == TODAY() - DAY and not access_context_for(scene.resp).can_use("CDAP")


def test_a_responsable_may_close_their_own_membership_earlier(scene, own):
    """Not a self grant (this held before the fix too): the rule must not block giving rights up."""
    client = manager_client(scene.resp)
    earlier = TODAY() + 3 * DAY
    assert client.post(update_url(own), dates_form(own, date_cloture=earlier.isoformat())).status_code == 302
    own.refresh_from_db()
    assert own.date_cloture == earlier
    assert client.post(update_url(own), {"action": "cloturer"}).status_code == 302
    own.refresh_from_db()
    assert own.date_cloture == TODAY() and not access_context_for(scene.resp).can_use("CDAP")
    assert not membership_journal(scene.resp).filter(data__has_key="self_grant").exists()


# --- The administrator may, and the journal says so ---------------------------------------------------------


def test_an_administrator_adds_themselves_and_the_journal_row_says_self_grant(scene):
    client = manager_client(scene.admin)
    assert client.post(add_url(scene), add_form(scene.admin, scene.t1)).status_code == 302
    membership = Membership.objects.get(user=scene.admin, group=scene.t1)
    entry = JournalEntry.objects.get(event=Event.MEMBERSHIP_ADDED, user=scene.admin)
    assert entry.actor == scene.admin and entry.data["self_grant"] is True
    # Closing it is no self grant; extending it again is.
    client.post(update_url(membership), dates_form(membership, date_cloture=(TODAY() + 60 * DAY).isoformat()))
    client.post(update_url(membership), dates_form(membership, date_cloture=""))
    assert [(e.event, e.data.get("self_grant")) for e in membership_journal(scene.admin).order_by("pk")] == [
        (Event.MEMBERSHIP_ADDED, True),
        (Event.MEMBERSHIP_CLOSED, None),
        (Event.MEMBERSHIP_CHANGED, True),
    ]
    assert Membership.objects.get(pk=membership.pk).date_cloture is None
    assert client.post(add_url(scene), add_form(scene.resp, scene.t1)).status_code == 302
    added = JournalEntry.objects.get(event=Event.MEMBERSHIP_ADDED, user=scene.resp)
    assert added.actor == scene.admin and "self_grant" not in added.data


# --- The services, whoever calls them -----------------------------------------------------------------------


def test_the_services_refuse_a_responsables_own_membership_whatever_the_path(scene, own):
    with pytest.raises(ValidationError) as error:
        services.membership_add(user=scene.resp, group=scene.t1, date_ouverture=TODAY() + 20 * DAY, actor=scene.resp)
    assert error.value.message_dict == {"user": [REFUSED]}
    with pytest.raises(ValidationError) as error:
        services.membership_update(own, date_cloture=TODAY() + 30 * DAY, actor=scene.resp)
    assert error.value.message_dict == {"date_cloture": [REFUSED]}
    with pytest.raises(ValidationError) as error:
        services.membership_update(own, date_ouverture=TODAY() - 20 * DAY, date_cloture=None, actor=scene.resp)
    assert error.value.message_dict == {"date_ouverture": [REFUSED]}
    # An account with the responsable's address, created into their group: refused, and no account is left.
    with pytest.raises(ValidationError) as error:
        services.partner_user_create(
            organism=scene.organism,
            nom="Bernard",
            prenom="C.",
            email=scene.resp.email,
            group=scene.t1,
            actor=scene.resp,
        )
    assert error.value.message_dict == {"user": [services.SELF_GRANT_EMAIL_REFUSED]}
    assert User.objects.filter(email=scene.resp.email).count() == 1
    own.refresh_from_db()
    assert own.date_cloture == TODAY() + 10 * DAY
    # Closing earlier passes; so does anyone else's membership, and the administrator's own.
    services.membership_close(own, actor=scene.resp)
    services.membership_add(user=UserFactory(organism=scene.organism), group=scene.t1, actor=scene.resp)
    assert services.membership_add(user=scene.admin, group=scene.t1, actor=scene.admin)


def test_an_administrator_whose_role_has_closed_is_a_responsable_like_any_other(scene):
    scene.t1.responsable = scene.admin
    scene.t1.save()
    role = scene.admin.administrator_roles.get()
    services.administrator_close(role, date_cloture=TODAY())
    with pytest.raises(ValidationError):
        services.membership_add(user=scene.admin, group=scene.t1, actor=scene.admin)
    assert not Membership.objects.filter(user=scene.admin).exists()


# --- The bulk import ----------------------------------------------------------------------------------------


def records(*lines):
    return imports.read_records("u.csv", "\n".join([HEADER, *lines]).encode())


def test_an_import_line_giving_the_importer_a_membership_is_refused_and_nothing_changes(scene):
    """The import is for administrators; the actor is checked again when it is applied (a role may have closed
    since "Vérifier"): a line adding the importer to a group is rejected with the services' reason, and the other
    lines are not applied either."""
    lines = records(
        "Lagare;Xavier;x.lagare@partenaire.fr;;;;;T1;oui",  # 2: someone else, into T1
        f"{scene.resp.nom};{scene.resp.prenom};{scene.resp.email.upper()};;;;;T1;oui",  # 3: the importer, into T1
        f"{scene.resp.nom};{scene.resp.prenom};{scene.resp.email};;;;;",  # 4: the importer, no group: nothing
    )
    plan = imports.plan_build(lines, scene.convention, actor=scene.resp)
    assert [(line.number, line.errors) for line in plan.rejected] == [(3, [REFUSED])]
    assert plan.report().rows[1].messages == [REFUSED]  # what the report shows for line 3
    before = everything()
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.plan_apply(lines, convention=scene.convention, actor=scene.resp)
    assert [line.number for line in rejected.value.plan.rejected] == [3]
    assert everything() == before
    assert not User.objects.filter(email="x.lagare@partenaire.fr").exists()
    assert not Membership.objects.filter(user=scene.resp).exists()


def test_an_administrator_importing_themselves_into_a_group_is_journaled_as_self_grant(scene):
    lines = records(f"{scene.admin.nom};{scene.admin.prenom};{scene.admin.email};;;;;T1;oui")
    assert imports.plan_build(lines, scene.convention, actor=scene.admin).count(imports.MEMBERSHIP) == 1
    imports.plan_apply(lines, convention=scene.convention, actor=scene.admin)
    entry = JournalEntry.objects.get(event=Event.MEMBERSHIP_ADDED, user=scene.admin)
    assert entry.actor == scene.admin and entry.data["self_grant"] is True
