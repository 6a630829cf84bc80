"""Rights that have ended or not begun yet, seen through the pages: a responsable d'habilitations of a group that
closes today, closed yesterday or opens tomorrow; an administrator whose role closed or opens tomorrow; a grant, a
convention profile or a membership that opens tomorrow. The home tile, the menu, the lists, and every URL of
"Gestion des habilitations" answering as tests/test_access_matrix.py declares (403 for who manages nothing, 404 for
an object of a group one no longer manages).

tests/habilitations/test_access_context.py holds the same boundaries on the access context itself."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from habilitations import services
from habilitations.models import Membership
from tests.factories import ConventionFactory, GroupFactory, UserFactory, grant, habilitated_user, member
from tests.habilitations.test_conventions_views import manager_client
from tests.portal.test_home_tiles import home, menu, tiles
from tests.test_access_matrix import MATRIX, MISSING, OK, ROLES, outcome

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)
GESTION = "GESTION DES HABILITATIONS"
MANAGER_URLS = [name for name in MATRIX if name.startswith("habilitations:")]
# URLs reaching one group's objects (its member, the group, the membership): 404 once the group is not managed.
GROUP_OBJECT_KEYS = {"user", "group", "membership"}


def declared(name: str, role: str):
    """The answer the access matrix declares for `role` on the URL `name`."""
    return MATRIX[name][1][ROLES.index(role)]


def url_kwargs(convention, *, user, group, membership) -> dict:
    return {
        None: {},
        "convention": {"convention_id": convention.pk},
        "convention_token": {"convention_id": convention.pk, "token": "inconnu"},
        "convention_csv": {"convention_id": convention.pk, "file_format": "csv"},
        "user": {"user_id": user.pk},
        "group": {"group_id": group.pk},
        "membership": {"membership_id": membership.pk},
    }


def answers(client, kwargs, expected) -> list[str]:
    """Every manager URL with `kwargs`; the ones that do not answer `expected(name, kwargs key)`."""
    wrong = []
    for name in MANAGER_URLS:
        key = MATRIX[name][0]
        url = reverse(name, kwargs=kwargs[key])
        got, want = outcome(client.get(url)), expected(name, key)
        if got != want:
            wrong.append(f"{name} ({url}): expected {want}, got {got}")
    return wrong


# --- Issue 20.1: a responsable of a group that is not open today ---------------------------------------------

GROUP_WINDOWS = ["closes_today", "closed_yesterday", "opens_tomorrow"]


class ResponsableWorld:
    """A convention whose group ZCLOS (responsable R, member "Membreclos") closes today, closed yesterday or opens
    tomorrow — through the services, as an administrator would do it — and, when `also_open`, a group ZOUVERT of the
    same responsable, open, with its member "Membreouvert"."""

    def __init__(self, window: str, *, also_open: bool):
        self.convention = ConventionFactory()
        organism = self.convention.organism
        self.responsable = UserFactory(organism=organism, nom="Responsable")
        opening = TODAY() + DAY if window == "opens_tomorrow" else TODAY() - 300 * DAY
        self.closed = services.group_create(
            convention=self.convention,
            code="ZCLOS",
            libelle="Groupe hors dates",
            responsable=self.responsable,
            date_ouverture=opening,
        )
        grant(self.closed, "T1-ASS")
        self.closed_member = UserFactory(organism=organism, nom="Membreclos")
        self.membership = services.membership_add(
            user=self.closed_member, group=self.closed, date_ouverture=max(opening, self.closed_member.date_ouverture)
        )
        if window != "opens_tomorrow":
            closing = TODAY() - DAY if window == "closed_yesterday" else TODAY()
            services.group_close(self.closed, date_cloture=closing)
        self.open = None
        if also_open:
            self.open = services.group_create(
                convention=self.convention,
                code="ZOUVERT",
                libelle="Groupe ouvert",
                responsable=self.responsable,
                date_ouverture=TODAY() - 300 * DAY,
            )
            self.open_member = UserFactory(organism=organism, nom="Membreouvert")
            services.membership_add(
                user=self.open_member, group=self.open, date_ouverture=self.open_member.date_ouverture
            )

    def kwargs(self) -> dict:
        return url_kwargs(self.convention, user=self.closed_member, group=self.closed, membership=self.membership)


@pytest.mark.parametrize("window", GROUP_WINDOWS)
def test_a_responsable_of_only_a_group_not_open_today_loses_gestion_des_habilitations(window):
    world = ResponsableWorld(window, also_open=False)
    client = manager_client(world.responsable)
    page = home(client)
    assert GESTION not in tiles(page) and GESTION not in menu(page)
    assert 'href="/gestion-des-habilitations/"' not in page
    # Every manager URL, the group's own objects included, answers like a user who manages nothing (403).
    wrong = answers(client, world.kwargs(), lambda name, key: declared(name, "sans_groupe"))
    assert not wrong, "\n".join(wrong)
    before = Membership.objects.count()
    data = {"user": world.closed_member.pk, "group": world.closed.pk, "date_ouverture": TODAY().isoformat()}
    response = client.post(reverse("habilitations:membership_add", args=[world.convention.pk]), data)
    assert response.status_code == 403 and Membership.objects.count() == before


@pytest.mark.parametrize("window", GROUP_WINDOWS)
def test_a_responsable_of_an_open_group_too_no_longer_reaches_the_other_one(window):
    world = ResponsableWorld(window, also_open=True)
    client = manager_client(world.responsable)
    page = home(client)
    assert GESTION in tiles(page) and GESTION in menu(page)

    def expected(name, key):
        # Convention-wide screens stay the responsable's (the open group); the other group's objects are not theirs.
        answer = declared(name, "responsable")
        return MISSING if key in GROUP_OBJECT_KEYS and answer == OK else answer

    wrong = answers(client, world.kwargs(), expected)
    assert not wrong, "\n".join(wrong)

    base = f"/gestion-des-habilitations/conventions/{world.convention.pk}"
    groups = client.get(f"{base}/groupes/").content.decode()
    assert "ZOUVERT" in groups and "ZCLOS" not in groups
    users = client.get(f"{base}/utilisateurs/").content.decode().lower()
    assert "membreouvert" in users and "membreclos" not in users and "zclos" not in users
    form = client.get(f"{base}/ajouter-au-groupe/").content.decode()
    assert "ZOUVERT" in form and "ZCLOS" not in form
    before = Membership.objects.count()
    data = {"user": world.open_member.pk, "group": world.closed.pk, "date_ouverture": TODAY().isoformat()}
    response = client.post(f"{base}/ajouter-au-groupe/", data)
    assert response.status_code == 200 and Membership.objects.count() == before


# --- Administrators: closed yesterday / today, closing tomorrow, opening tomorrow ----------------------------


def administrator_world(window: str):
    """An organism with a group (its member, membership) and an administrator named by the Caf whose role is in
    `window` (named 30 days ago and closed through the service, or named from tomorrow)."""
    group = GroupFactory(code="T1")
    organism = group.convention.organism
    group_member = UserFactory(organism=organism)
    membership = member(group_member, group)
    admin = UserFactory(organism=organism)
    if window == "opens_tomorrow":
        services.administrator_name(organism=organism, user=admin, role="PRINCIPAL", date_ouverture=TODAY() + DAY)
    else:
        role = services.administrator_name(
            organism=organism, user=admin, role="PRINCIPAL", date_ouverture=TODAY() - 30 * DAY
        )
        offset = {"closed_yesterday": -1, "closes_today": 0, "closes_tomorrow": 1}[window]
        services.administrator_close(role, date_cloture=TODAY() + offset * DAY)
    admin.refresh_from_db()
    kwargs = url_kwargs(group.convention, user=group_member, group=group, membership=membership)
    return admin, kwargs


@pytest.mark.parametrize("window", ["closed_yesterday", "closes_today", "opens_tomorrow"])
def test_an_administrator_whose_role_is_not_open_today_manages_nothing(window):
    admin, kwargs = administrator_world(window)
    client = manager_client(admin)
    page = home(client)
    assert GESTION not in tiles(page) and GESTION not in menu(page)
    wrong = answers(client, kwargs, lambda name, key: declared(name, "sans_groupe"))
    assert not wrong, "\n".join(wrong)


def test_an_administrator_closing_tomorrow_is_administrator_today():
    admin, kwargs = administrator_world("closes_tomorrow")
    client = manager_client(admin)
    assert GESTION in tiles(home(client))
    wrong = answers(client, kwargs, lambda name, key: declared(name, "administrateur"))
    assert not wrong, "\n".join(wrong)


# --- A user's rights opening tomorrow -------------------------------------------------------------------------


@pytest.mark.parametrize("row", ["grant", "convention_profile", "membership"])
def test_a_right_opening_tomorrow_gives_nothing_today(client, login, row):
    user, group = habilitated_user("T1-ASS")
    the_grant = group.grants.get()
    target = {
        "grant": the_grant,
        "convention_profile": the_grant.convention_profile,
        "membership": group.memberships.get(),
    }[row]
    type(target).objects.filter(pk=target.pk).update(date_ouverture=TODAY() + DAY)
    login(user)
    page = home(client)
    assert "CONSULTER DOSSIER" not in tiles(page) and 'id="aucun-service"' in page
    assert client.get(reverse("cdap:search")).status_code == declared("cdap:search", "sans_groupe")
