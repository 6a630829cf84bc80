"""Gestion des habilitations: "Liste des utilisateurs" (filters, pages, constant queries), "Créer un utilisateur
partenaire", "Modifier", "Clôturer", "Renvoi de l'identifiant par mail", "Détail de l'utilisateur" and the
explanation of a user's rights (also on "Mon profil")."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from habilitations.journal import Event, JournalEntry
from habilitations.models import Membership, User
from tests.factories import GroupFactory, UserFactory, grant, member
from tests.habilitations.test_conventions_views import World, administrator_of, content, manager_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def users_url(convention) -> str:
    return f"/gestion-des-habilitations/conventions/{convention.pk}/utilisateurs/"


def create_url(convention) -> str:
    return users_url(convention) + "creer/"


def user_url(user, suffix="") -> str:
    return f"/gestion-des-habilitations/utilisateurs/{user.pk}/{suffix}"


def identifiants(page: str) -> list[str]:
    """The identifiants of the users' table, in order."""
    body = page[page.index('id="utilisateurs"') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return re.findall(r'<th scope="row">([A-Z0-9]+)</th>', body)


def row_of(page: str, user) -> str:
    start = page.index(f'<th scope="row">{user.identifiant}</th>')
    return html.unescape(page[start : page.index("</tr>", start)])


# --- Liste des utilisateurs ----------------------------------------------------------------------------------


def test_the_administrator_sees_every_user_of_the_organism_in_order(world):
    world.loner.date_cloture = TODAY() - DAY
    world.loner.save()
    page = content(manager_client(world.admin).get(users_url(world.convention)))
    assert "Convention sélectionnée :" in page and "Organisme partenaire :" in page
    organism_users = User.objects.filter(organism=world.organism).order_by("nom", "prenom", "pk")
    assert identifiants(page) == [u.identifiant for u in organism_users]
    assert world.other_user.identifiant not in page
    closed = row_of(page, world.loner)
    assert (
        '<td data-label="Adresse mail" class="cell-break">Désactivé</td>' in closed
        and world.loner.email not in closed
        and '<td data-label="Statut">Clôturé</td>' in closed
    )
    assert (TODAY() - DAY).strftime("%d/%m/%Y") in closed and ">Clôturer<span" not in closed
    opened = row_of(page, world.t1_member)
    assert world.t1_member.email in opened and '<td data-label="Statut">Ouvert</td>' in opened
    assert f'href="{user_url(world.t1_member, "modifier/")}"' in opened
    assert f'href="{user_url(world.t1_member, "cloturer/")}"' in opened
    for action in [
        "Renvoi de l'identifiant par mail",
        "Gérer l'appartenance de l'utilisateur",
        "Ajouter à un groupe",
        "Détail de l'utilisateur",
    ]:
        assert action in opened
    assert f"/ajouter-au-groupe/?user={world.t1_member.pk}" in opened
    assert "Créer un utilisateur" in page and "Retour à la liste des conventions" in page
    assert "Modifier / Clôturer" in page


def test_a_responsable_sees_only_the_members_of_their_groups_and_cannot_modify(world):
    page = content(manager_client(world.responsable).get(users_url(world.convention)))
    assert identifiants(page) == [world.t1_member.identifiant]
    assert "Modifier / Clôturer" not in page and "/modifier/" not in page
    options = re.findall(r'<option value="(\d+)"', page[page.index('name="group"') :])
    assert options == [str(world.t1.pk)]


def test_filters_identifiant_nom_prenom_and_group(world):
    client = manager_client(world.admin)
    url = users_url(world.convention)
    assert identifiants(content(client.get(url, {"nom": "dupu"}))) == [world.t1_member.identifiant]
    assert identifiants(content(client.get(url, {"prenom": "JUST"}))) == [world.afas_member.identifiant]
    suffix = world.loner.identifiant[-4:].lower()
    assert identifiants(content(client.get(url, {"identifiant": suffix}))) == [world.loner.identifiant]
    assert identifiants(content(client.get(url, {"group": world.afas.pk}))) == [world.afas_member.identifiant]
    Membership.objects.filter(user=world.afas_member).update(date_cloture=TODAY())
    page = content(client.get(url, {"group": world.afas.pk}))
    assert identifiants(page) == [] and "Aucun utilisateur ne correspond à ces critères." in page


@pytest.mark.parametrize(
    "params",
    [
        {"nom": "A" * 10_000},
        {"prenom": "abc\x00def"},
        {"identifiant": "\x00"},
        {"group": "999999999999999999999"},
        {"group": "abc"},
        {"group": "other"},  # another organism's group
    ],
)
def test_bad_filters_are_reported_and_ignored(world, params):
    if params.get("group") == "other":
        params = {"group": world.other_group.pk}
    page = content(manager_client(world.admin).get(users_url(world.convention), params))
    assert "Le formulaire contient 1 erreur" in page
    assert len(identifiants(page)) == User.objects.filter(organism=world.organism).count()
    assert world.other_user.identifiant not in page


def bulk_users(organism, count: int, group=None, prefix: str = "Z"):
    """`count` open users of `organism` (members of `group` if given), inserted in two queries."""
    users = User.objects.bulk_create(
        [
            User(
                identifiant=f"ACC061{prefix}{n:03d}",
                nom=f"Nom{prefix}{n:03d}",
                prenom="Prénom",
                email=f"u{prefix}{n}@partenaire.example",
                organism=organism,
                date_ouverture=TODAY() - 10 * DAY,
            )
            for n in range(count)
        ]
    )
    if group is not None:
        Membership.objects.bulk_create(
            [
                Membership(user=u, group=group, date_ouverture=max(group.date_ouverture, u.date_ouverture))
                for u in users
            ]
        )
    return users


def test_the_list_is_paginated_with_the_filters_kept(world):
    bulk_users(world.organism, 40)
    client = manager_client(world.admin)
    first = content(client.get(users_url(world.convention), {"prenom": "prénom"}))
    assert "Page 1 sur 2 — 40 résultats" in first and len(identifiants(first)) == 25
    assert 'href="?prenom=pr%C3%A9nom&amp;page=2"' in first
    second = content(client.get(users_url(world.convention), {"prenom": "prénom", "page": 2}))
    assert "Page 2 sur 2 — 40 résultats" in second and len(identifiants(second)) == 15
    assert identifiants(second)[-1] == "ACC061Z039"
    # A bad page number shows the first page: the list's own order (nom, prénom, id), whatever the names drawn.
    first_user = User.objects.filter(organism=world.organism).order_by("nom", "prenom", "id").first()
    assert identifiants(content(client.get(users_url(world.convention), {"page": "abc"})))[0] == first_user.identifiant
    last = content(client.get(users_url(world.convention), {"page": 99}))
    assert "Page 2 sur 2" in last


@pytest.mark.parametrize("who", ["admin", "responsable"])
def test_the_list_costs_the_same_queries_for_10_or_300_users(world, who, django_assert_num_queries):
    client = manager_client(getattr(world, who))
    bulk_users(world.organism, 10, group=world.t1, prefix="Z")
    with CaptureQueriesContext(connection) as small:
        assert len(identifiants(content(client.get(users_url(world.convention))))) >= 10
    bulk_users(world.organism, 290, group=world.t1, prefix="Y")
    with django_assert_num_queries(len(small)):
        page = content(client.get(users_url(world.convention)))
    assert len(identifiants(page)) == 25 and re.search(r"Page 1 sur 1[23] — ", page)
    print(f"users list as {who}: {len(small)} queries for 10 and for 300 users")  # noqa: T201


# --- Créer un utilisateur partenaire ------------------------------------------------------------------------


def valid_post(**overrides) -> dict:
    data = {
        "nom": "Lagare",
        "prenom": "Xavier",
        "email": "x.lagare@partenaires.fr",
        "email_confirm": "X.Lagare@partenaires.fr",
        "telephone": "07 00 02 00 00",
        "telephone_confirm": "07 00 02 00 00",
        "poste": "ITINERANT",
        "date_ouverture": TODAY().isoformat(),
        "date_cloture": "",
        "group": "",
        "qualification": "on",  # attested, as guide 000 asks, when the group gives a CDAP profile
    }
    data.update(overrides)
    return data


def test_the_create_form_has_the_guides_fields(world):
    page = content(manager_client(world.admin).get(create_url(world.convention)))
    for label in [
        "Nom",
        "Prénom",
        "Adresse mail",
        "Confirmer adresse mail",
        "Téléphone",
        "Confirmer le téléphone",
        "Sédentaire (possède un poste fixe)",
        "Itinérant (poste de travail variable)",
        "Date d&#x27;ouverture",
        "Date de clôture",
        "Groupe d&#x27;habilitation",
    ]:
        assert label in page, label
    assert f'value="{TODAY().isoformat()}"' in page
    assert "Annuler" in page and "Valider" in page
    assert "AFAS-DEC - AFAS Déclarer" in page and "T1 - CDAP T1" in page and "AUTRE" not in page


def test_an_administrator_creates_a_user_who_gets_their_identifiant_and_password_by_email(
    world, django_capture_on_commit_callbacks
):
    client = manager_client(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(create_url(world.convention), valid_post(group=world.t1.pk))
    assert response["Location"] == users_url(world.convention)
    user = User.objects.get(email="x.lagare@partenaires.fr")
    assert (user.organism, user.caf.code, user.poste, user.telephone) == (
        world.organism,
        "061",
        "ITINERANT",
        "07 00 02 00 00",
    )
    assert re.fullmatch(r"ACC061[A-HJKMNP-Z2-9]{4}", user.identifiant)
    assert not user.is_staff and not user.is_partner_admin and user.has_provisional_password
    assert Membership.objects.get(user=user).group == world.t1
    assert sorted(m.subject for m in mail.outbox) == [
        "Mon Compte Partenaire : votre identifiant",
        "Mon Compte Partenaire : votre mot de passe provisoire",
    ]
    assert all(m.to == ["x.lagare@partenaires.fr"] for m in mail.outbox)
    assert any(user.identifiant in m.body for m in mail.outbox)
    entry = JournalEntry.objects.get(event=Event.USER_CREATED, user=user)
    assert entry.actor == world.admin and entry.organism == world.organism
    page = content(client.get(response["Location"]))
    assert f"L&#x27;utilisateur LAGARE Xavier ({user.identifiant}) a été créé" in page
    assert user.identifiant in identifiants(page)


def test_an_administrator_may_create_a_user_without_group(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        manager_client(world.admin).post(create_url(world.convention), valid_post())
    user = User.objects.get(email="x.lagare@partenaires.fr")
    assert not Membership.objects.filter(user=user).exists() and len(mail.outbox) == 2


def test_a_responsable_creates_a_user_directly_into_their_group(world, django_capture_on_commit_callbacks):
    client = manager_client(world.responsable)
    page = content(client.get(create_url(world.convention)))
    assert "T1 - CDAP T1" in page and "AFAS-DEC" not in page
    response = client.post(create_url(world.convention), valid_post())
    assert "Choisissez le groupe d&#x27;habilitation de l&#x27;utilisateur." in content(response)
    response = client.post(create_url(world.convention), valid_post(group=world.afas.pk))
    assert "Choisissez un groupe de la liste." in content(response)
    assert not User.objects.filter(email="x.lagare@partenaires.fr").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(create_url(world.convention), valid_post(group=world.t1.pk))
    assert response.status_code == 302
    user = User.objects.get(email="x.lagare@partenaires.fr")
    assert Membership.objects.get(user=user).group == world.t1
    assert user.identifiant in identifiants(content(client.get(users_url(world.convention))))


def state() -> tuple:
    return (
        User.objects.count(),
        Membership.objects.count(),
        JournalEntry.objects.exclude(event__startswith="auth.").count(),
        len(mail.outbox),
    )


BAD_CREATIONS = {
    "email_mismatch": ({"email_confirm": "autre@partenaires.fr"}, "email_confirm", "Les deux adresses mail"),
    "phone_mismatch": ({"telephone_confirm": "07 00 02 00 01"}, "telephone_confirm", "Les deux numéros"),
    "closing_before_opening": (
        {"date_ouverture": "2026-01-10", "date_cloture": "2026-01-09"},
        "date_cloture",
        "postérieure ou égale à la date d&#x27;ouverture",
    ),
    "long_name": ({"nom": "A" * 10_000}, "nom", "Le nom compte au plus 100 caractères."),
    "long_first_name": ({"prenom": "é" * 10_000}, "prenom", "Le prénom compte au plus 100 caractères."),
    "nul_name": ({"nom": "Lag\x00are"}, "nom", "Ce champ contient un caractère non autorisé."),
    "nul_email": ({"email": "x\x00@p.fr", "email_confirm": "x\x00@p.fr"}, "email", None),
    "nul_date": ({"date_ouverture": "2026\x00-01-01"}, "date_ouverture", "Saisissez une date valide"),
    "bad_email": ({"email": "pas-une-adresse", "email_confirm": "pas-une-adresse"}, "email", "adresse mail valide"),
    "bad_phone": ({"telephone": "<script>", "telephone_confirm": "<script>"}, "telephone", "numéro de téléphone"),
    "bad_date": ({"date_ouverture": "31/02/2026"}, "date_ouverture", "Saisissez une date valide"),
    "huge_date": ({"date_ouverture": "99999-01-01"}, "date_ouverture", "Saisissez une date valide"),
    "empty": ({"nom": "", "prenom": "", "email": "", "email_confirm": ""}, "nom", "Saisissez le nom."),
    "bad_poste": ({"poste": "DIRECTEUR"}, "poste", "Choisissez un poste de la liste."),
    "closing_before_the_groups_opening": (
        {"group": "future", "date_cloture": "today+2"},
        "date_cloture",
        "La date de clôture doit être postérieure ou égale",
    ),
    "group_id_overflow": ({"group": "999999999999999999999"}, "group", "Choisissez un groupe de la liste."),
    "group_not_a_number": ({"group": "1 OR 1=1"}, "group", "Choisissez un groupe de la liste."),
}


@pytest.mark.parametrize("case", list(BAD_CREATIONS))
def test_bad_input_is_answered_in_french_next_to_the_field_and_writes_nothing(
    world, case, django_capture_on_commit_callbacks
):
    overrides, field, message = dict(BAD_CREATIONS[case][0]), *BAD_CREATIONS[case][1:]
    if overrides.get("group") == "future":  # the membership would start after the user's closing (service rule)
        overrides["group"] = GroupFactory(convention=world.convention, date_ouverture=TODAY() + 10 * DAY).pk
        overrides["date_cloture"] = (TODAY() + 2 * DAY).isoformat()
    client = manager_client(world.admin)
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(create_url(world.convention), valid_post(**overrides))
    page = content(response)
    assert "Le formulaire contient" in page
    assert f'href="#id_{field}"' in page or field == "poste"  # the summary points at the field (radios: no id)
    if message:
        assert message in page
    assert state() == before


def test_mass_assignment_is_ignored(world, django_capture_on_commit_callbacks):
    client = manager_client(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            create_url(world.convention),
            valid_post(
                organism=world.other_organism.pk,
                organism_id=world.other_organism.pk,
                is_staff="on",
                is_superuser="on",
                is_partner_admin="on",
                identifiant="ACC061AAAA",
                caf="831",
                caf_id="831",
                password="Choisi-par-moi#2026",
            ),
        )
    user = User.objects.get(email="x.lagare@partenaires.fr")
    assert user.organism == world.organism and user.caf.code == "061"
    assert not (user.is_staff or user.is_superuser or user.is_partner_admin)
    assert user.identifiant != "ACC061AAAA" and not user.check_password("Choisi-par-moi#2026")


def test_another_organisms_group_is_refused(world):
    before = state()
    response = manager_client(world.admin).post(create_url(world.convention), valid_post(group=world.other_group.pk))
    assert "Choisissez un groupe de la liste." in content(response)
    assert state() == before


def test_a_closed_group_is_not_offered(world):
    world.afas.date_cloture = TODAY()
    world.afas.save()
    page = content(manager_client(world.admin).get(create_url(world.convention)))
    assert "AFAS-DEC" not in page and "T1 - CDAP T1" in page


# --- Modifier, Clôturer --------------------------------------------------------------------------------------


def test_an_administrator_modifies_a_user(world):
    client = manager_client(world.admin)
    user = world.t1_member
    page = content(client.get(user_url(user, "modifier/")))
    assert f'value="{user.email}"' in page and 'value="Dupuis"' in page
    data = valid_post(
        nom="Dupuis-Martin",
        prenom="Martin",
        email="m.dupuis@partenaire.fr",
        email_confirm="m.dupuis@partenaire.fr",
        poste="SEDENTAIRE",
        date_ouverture=user.date_ouverture.isoformat(),
        telephone="",
        telephone_confirm="",
    )
    response = client.post(user_url(user, "modifier/"), data)
    assert response["Location"] == users_url(world.convention)
    user.refresh_from_db()
    assert (user.nom, user.email, user.poste) == ("Dupuis-Martin", "m.dupuis@partenaire.fr", "SEDENTAIRE")
    entry = JournalEntry.objects.get(event=Event.USER_CHANGED, user=user)
    assert entry.actor == world.admin and entry.data["after"]["nom"] == "Dupuis-Martin"
    # Nothing changed: nothing written.
    response = client.post(user_url(user, "modifier/"), data)
    assert JournalEntry.objects.filter(event=Event.USER_CHANGED, user=user).count() == 1


@pytest.mark.parametrize("case", ["email_mismatch", "phone_mismatch", "long_name", "nul_name", "bad_date"])
def test_modify_bad_input_changes_nothing(world, case):
    overrides, field, message = BAD_CREATIONS[case]
    user = world.t1_member
    before = (user.nom, user.email, user.telephone)
    data = valid_post(date_ouverture=user.date_ouverture.isoformat())
    data.update(overrides)
    response = manager_client(world.admin).post(user_url(user, "modifier/"), data)
    assert f'href="#id_{field}"' in content(response) and message in content(response)
    user.refresh_from_db()
    assert (user.nom, user.email, user.telephone) == before
    assert not JournalEntry.objects.filter(event=Event.USER_CHANGED).exists()


def test_modify_ignores_fields_outside_the_form(world):
    user = world.t1_member
    data = valid_post(
        date_ouverture=user.date_ouverture.isoformat(), is_partner_admin="on", organism=world.other_organism.pk
    )
    manager_client(world.admin).post(user_url(user, "modifier/"), data)
    user.refresh_from_db()
    assert user.organism == world.organism and not user.is_partner_admin and user.nom == "Lagare"


def test_closing_asks_for_a_date_and_a_confirmation_then_closes_the_memberships(world):
    client = manager_client(world.admin)
    user = world.t1_member
    page = content(client.get(user_url(user, "cloturer/")))
    assert "Vous allez clôturer l'utilisateur" in page and f'value="{TODAY().isoformat()}"' in page
    user.refresh_from_db()
    assert user.date_cloture is None  # a GET changes nothing
    response = client.post(user_url(user, "cloturer/"), {"date_cloture": TODAY().isoformat()})
    assert response["Location"] == users_url(world.convention)
    user.refresh_from_db()
    assert user.date_cloture == TODAY() and not user.is_open
    assert Membership.objects.get(user=user).date_cloture == TODAY()
    assert JournalEntry.objects.filter(event=Event.USER_CLOSED, user=user, actor=world.admin).exists()
    row = row_of(content(client.get(users_url(world.convention))), user)
    assert "Désactivé" in row and "Clôturé" in row


def test_closing_the_responsable_of_an_open_group_is_refused_in_french(world):
    response = manager_client(world.admin).post(user_url(world.responsable, "cloturer/"), {"date_cloture": TODAY()})
    assert "est responsable d&#x27;habilitations du groupe T1" in content(response)
    world.responsable.refresh_from_db()
    assert world.responsable.date_cloture is None


@pytest.mark.parametrize("value", ["", "abc", "2026-13-01", "\x00", "1900-01-01"])
def test_closing_with_a_bad_date_changes_nothing(world, value):
    response = manager_client(world.admin).post(user_url(world.t1_member, "cloturer/"), {"date_cloture": value})
    assert "Le formulaire contient" in content(response)
    world.t1_member.refresh_from_db()
    assert world.t1_member.date_cloture is None


def test_administrators_are_changed_and_closed_by_the_caf_only(world):
    """Otherwise an administrator could give the other one a new e-mail, then use "Mot de passe oublié ?"."""
    suppleant = administrator_of(world.organism, role="SUPPLEANT")
    client = manager_client(world.admin)
    row = row_of(content(client.get(users_url(world.convention))), suppleant)
    assert "Administrateur (géré par la Caf)" in row and "/modifier/" not in row and "/cloturer/" not in row
    for target in (suppleant, world.admin):
        before = (target.email, target.date_cloture)
        for suffix, data in [
            ("modifier/", valid_post(email="pirate@example.com")),
            ("cloturer/", {"date_cloture": TODAY()}),
        ]:
            for response in (client.get(user_url(target, suffix)), client.post(user_url(target, suffix), data)):
                assert response["Location"] == user_url(target)
        target.refresh_from_db()
        assert (target.email, target.date_cloture) == before
    page = html.unescape(content(client.get(user_url(suppleant))))
    assert "ses données et sa clôture passent par la Caf" in page and "/modifier/" not in page
    assert not JournalEntry.objects.filter(event__in=[Event.USER_CHANGED, Event.USER_CLOSED]).exists()


def test_a_responsable_may_not_modify_or_close(world):
    client = manager_client(world.responsable)
    for suffix in ["modifier/", "cloturer/"]:
        assert client.get(user_url(world.t1_member, suffix)).status_code == 403
        assert client.post(user_url(world.t1_member, suffix), valid_post()).status_code == 403


# --- Renvoi de l'identifiant par mail ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "responsable"])
def test_resend_identifiant(world, who, django_capture_on_commit_callbacks):
    client = manager_client(getattr(world, who))
    url = user_url(world.t1_member, "renvoi-identifiant/")
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response["Location"] == users_url(world.convention)
    (message,) = mail.outbox
    assert message.to == [world.t1_member.email] and world.t1_member.identifiant in message.body
    assert "mot de passe provisoire" not in message.subject
    assert JournalEntry.objects.filter(event=Event.IDENTIFIANT_SENT, user=world.t1_member).exists()
    page = content(client.get(response["Location"]))
    assert f"L&#x27;identifiant a été renvoyé à l&#x27;adresse {world.t1_member.email}." in page


def test_resend_identifiant_of_another_organisms_user_or_outside_the_group_is_404(
    world, django_capture_on_commit_callbacks
):
    admin, responsable = manager_client(world.admin), manager_client(world.responsable)
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(user_url(world.other_user, "renvoi-identifiant/")).status_code == 404
        assert responsable.post(user_url(world.afas_member, "renvoi-identifiant/")).status_code == 404
    assert mail.outbox == []
    assert not JournalEntry.objects.filter(event=Event.IDENTIFIANT_SENT).exists()


def test_resend_identifiant_of_a_closed_user_sends_nothing(world, django_capture_on_commit_callbacks):
    User.objects.filter(pk=world.t1_member.pk).update(date_cloture=TODAY())
    client = manager_client(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(user_url(world.t1_member, "renvoi-identifiant/"), follow=True)
    assert "Cet utilisateur est clôturé : son identifiant ne lui est pas renvoyé." in html.unescape(content(response))
    assert mail.outbox == []
    assert not JournalEntry.objects.filter(event=Event.IDENTIFIANT_SENT).exists()


@pytest.mark.parametrize("suffix", ["", "modifier/", "cloturer/"])
def test_another_organisms_user_answers_404(world, suffix):
    client = manager_client(world.admin)
    for pk in (world.other_user.pk, 987654321, 10**20):
        assert client.get(f"/gestion-des-habilitations/utilisateurs/{pk}/{suffix}").status_code == 404
    if suffix:
        assert client.post(user_url(world.other_user, suffix), valid_post()).status_code == 404


def test_a_responsable_gets_404_for_a_user_outside_their_groups(world):
    client = manager_client(world.responsable)
    assert client.get(user_url(world.afas_member)).status_code == 404
    assert client.get(user_url(world.other_user)).status_code == 404


# --- Détail de l'utilisateur and the explanation of the rights -----------------------------------------------


def test_user_detail_explains_the_rights_given_today(world, django_assert_max_num_queries):
    user = world.t1_member
    member(user, world.afas, date_cloture=TODAY() + 400 * DAY)
    old_group = GroupFactory(convention=world.convention, code="OLD", libelle="Ancien groupe")
    grant(old_group, "T2")
    member(user, old_group, date_ouverture=TODAY() - 20 * DAY, date_cloture=TODAY() - 2 * DAY)
    client = manager_client(world.admin)
    with django_assert_max_num_queries(16):
        page = content(client.get(user_url(user)))
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    text = " ".join(text.split())
    assert (
        "Accès à Consulter Dossier, profil T1 – Assistants service social, par le groupe T1 (CDAP T1), "
        "sans date de fin." in text
    )
    until = (TODAY() + 400 * DAY).strftime("%d/%m/%Y")
    assert "Accès à Aide financière d'action sociale, profil AFAS-DECLARER" in text
    assert f"par le groupe AFAS-DEC (AFAS Déclarer), jusqu'au {until}." in text
    assert "T2 –" not in text  # a closed membership gives nothing today …
    assert "OLDAncien groupe" in text and "Clôturé" in text  # … but stays in the history
    assert user.identifiant in text and "Utilisateur (ni administrateur, ni responsable d'habilitations)." in text


def test_user_detail_shows_the_roles(world):
    client = manager_client(world.admin)
    page = html.unescape(content(client.get(user_url(world.responsable))))
    assert "Responsable d'habilitations du groupe T1 (CDAP T1)" in page
    page = html.unescape(content(client.get(user_url(world.admin))))
    assert f"Administrateur principal de {world.organism.nom}" in page


def test_a_responsable_sees_only_what_their_groups_give(world):
    member(world.t1_member, world.afas)
    page = html.unescape(
        re.sub(r"<[^>]+>", "", content(manager_client(world.responsable).get(user_url(world.t1_member))))
    )
    assert "profil T1 – Assistants service social" in page and "AFAS-DECLARER" not in page
    assert "AFAS-DEC" not in page
    assert "Seuls les accès donnés par vos groupes sont affichés." in page
    assert "Modifier" not in page


def test_user_detail_of_a_user_without_access(world):
    page = html.unescape(content(manager_client(world.admin).get(user_url(world.loner))))
    assert "Aucun accès à un service aujourd'hui" in page and "Aucune appartenance à un groupe." in page


def test_mon_profil_explains_my_own_rights_and_lists_my_groups(world, login, client):
    user = world.t1_member
    Membership.objects.filter(user=user).update(date_cloture=TODAY() + 30 * DAY)
    login(user)
    page = html.unescape(content(client.get("/mon-profil/")))
    until = (TODAY() + 30 * DAY).strftime("%d/%m/%Y")
    text = " ".join(re.sub(r"<[^>]+>", "", page).split())
    expected = "Accès à Consulter Dossier, profil T1 – Assistants service social, par le groupe T1 (CDAP T1)"
    assert f"{expected}, jusqu'au {until}." in text
    assert "Mes groupes" in page and "CDAP T1" in page


def test_mon_profil_without_any_group(login, client):
    user = UserFactory()
    login(user)
    page = html.unescape(content(client.get("/mon-profil/")))
    assert "Vous n'avez accès à aucun service aujourd'hui." in page
    assert "Aucune appartenance à un groupe." in page
