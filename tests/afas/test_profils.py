"""« Administration des profils » — HABILITATIONS D'ACTION SOCIALE (issue 13.4, guides 002 and 003): an
AFAS-HABILITER user searches the roles of their partner's activities and sites, gives a role to an AFAS-DECLARER
user on activities or lieux d'implantation from a date (HABILITER UN UTILISATEUR), and ends one today. Whose roles a
user manages and who may receive one come from habilitations.access.service_roles; every change is journaled."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from afas import services
from afas.models import RoleAssignment
from habilitations.access.context import access_context_for
from habilitations.journal import JournalEntry
from habilitations.models import OrganismAdministrator
from tests.afas.factories import DAY, TODAY, activity, afas_groups, declarer_of, site
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db
PROFILS = "/aide-financiere-d-action-sociale/administration-des-profils/"
HABILITER = PROFILS + "habiliter/"


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


@pytest.fixture
def moulins():
    """A partner with its AFAS groups, a manager (AFAS-HABILITER), two declarers, an ALSH with two sites, an EAJE."""
    declarer_group, habiliter_group = afas_groups()
    organism = declarer_group.convention.organism
    manager = UserFactory(organism=organism, nom="Robin", prenom="Jean-Baptiste")
    member(manager, habiliter_group)
    peri = activity(organism, "Péri Assoc")
    extra = activity(organism, "Extra Assoc", nature="EXTRASCOLAIRE")
    eaje = activity(organism, "Multi-accueil", type_activite="EAJE")
    return {
        "organism": organism,
        "declarer_group": declarer_group,
        "habiliter_group": habiliter_group,
        "manager": manager,
        "camille": declarer_of(declarer_group, nom="Masson", prenom="Camille"),
        "paul": declarer_of(declarer_group, nom="Durand", prenom="Paul"),
        "peri": peri,
        "extra": extra,
        "eaje": eaje,
        "peri_site": site(peri, "Site"),
        "peri_ecoles": site(peri, "Site Ecoles"),
    }


def give(w, data, client):
    base = {"partenaire": w["organism"].pk, "date_ouverture": TODAY().isoformat(), "action": "enregistrer"}
    return client.post(HABILITER, base | data)


def test_the_manager_gives_a_role_on_two_activities_then_finds_it_under_actif(client, login, moulins):
    w = moulins
    login(w["manager"])
    form = text(client.get(HABILITER))
    assert "1. Sélectionner l'utilisateur" in form and "Pour l'utilisateur … *" in form
    assert "MASSON Camille" in form and "ROBIN" not in form.split('name="utilisateur"')[1].split("</select>")[0]
    response = give(
        w,
        {
            "utilisateur": w["camille"].pk,
            "role": "FDA",
            "portee": "ACTIVITES",
            "activites": [w["peri"].pk, w["eaje"].pk],
        },
        client,
    )
    assert response.status_code == 302
    page = text(client.get(response["Location"]))
    assert "Les habilitations ont été créées avec succès." in page
    # The same partner, user and role stay chosen for the next scope (guide 003: « Renouveler l'étape »).
    assert f'<option value="{w["camille"].pk}" selected>' in page
    roles = RoleAssignment.objects.filter(user=w["camille"], role="FDA")
    assert sorted(r.activity.nom for r in roles) == ["Multi-accueil", "Péri Assoc"]
    assert all(r.created_by == w["manager"] and r.date_ouverture == TODAY() for r in roles)
    assert JournalEntry.objects.filter(event="afas.role_assigned", actor=w["manager"], user=w["camille"]).count() == 2
    found = text(client.get(PROFILS))
    assert "● Activité : Péri Assoc" in found and "● Activité : Multi-accueil" in found
    assert '<th scope="row">Fournisseur de données d\'activité</th>' in found and "MASSON Camille" in found


def test_select_all_activities_and_the_sites_of_an_activity(client, login, moulins):
    w = moulins
    login(w["manager"])
    give(
        w,
        {
            "utilisateur": w["paul"].pk,
            "role": "FDF",
            "portee": "ACTIVITES",
            "type_activite": "ALSH",
            "toutes_activites": "on",
        },
        client,
    )
    assert sorted(RoleAssignment.objects.filter(role="FDF").values_list("activity__nom", flat=True)) == [
        "Extra Assoc",
        "Péri Assoc",
    ]
    give(w, {"utilisateur": w["paul"].pk, "role": "FDA", "portee": "SITES", "toutes_sites": [w["peri"].pk]}, client)
    assert sorted(RoleAssignment.objects.filter(role="FDA").values_list("site__nom", flat=True)) == [
        "Site",
        "Site Ecoles",
    ]
    found = text(client.get(PROFILS))
    assert "● Lieu d'implantation : Site Ecoles (Péri Assoc)" in found
    without_sites = text(client.get(PROFILS, {"etat": "ACTIF", "lieux": "NON"}))
    assert "Lieu d'implantation :" not in without_sites


def test_an_approbateur_is_announced_as_awaiting_the_caf(client, login, moulins):
    w = moulins
    login(w["manager"])
    response = give(
        w,
        {"utilisateur": w["camille"].pk, "role": "APPROBATEUR", "portee": "ACTIVITES", "activites": [w["peri"].pk]},
        client,
    )
    page = text(client.get(response["Location"]))
    assert (
        "L'habilitation de cet utilisateur au rôle d'approbateur pour l'équipement/service Péri Assoc, est en cours "
        "de validation par la Caf." in page
    )


def test_a_full_quota_is_refused_naming_the_activity_and_holders_and_nothing_is_written(client, login, moulins):
    w = moulins
    services.role_assign(user=w["camille"], role="APPROBATEUR", activity=w["extra"])
    login(w["manager"])
    before = RoleAssignment.objects.count()
    page = text(
        give(
            w,
            {"utilisateur": w["paul"].pk, "role": "APPROBATEUR", "portee": "ACTIVITES", "toutes_activites": "on"},
            client,
        )
    )
    assert "L'activité « Extra Assoc » a déjà 1 approbateur sur cette période : Masson Camille." in page
    assert RoleAssignment.objects.count() == before  # Péri Assoc and Multi-accueil not given either
    assert not JournalEntry.objects.filter(event="afas.role_assigned", user=w["paul"]).exists()


def test_a_manager_never_gives_themselves_a_role_unless_administrator(client, login, moulins):
    w = moulins
    member(w["manager"], w["declarer_group"])  # a declarer too: offered, but refused for themselves
    login(w["manager"])
    page = text(
        give(
            w,
            {"utilisateur": w["manager"].pk, "role": "FDA", "portee": "ACTIVITES", "activites": [w["peri"].pk]},
            client,
        )
    )
    assert "Vous ne pouvez pas vous attribuer un rôle vous-même" in page
    assert not RoleAssignment.objects.filter(user=w["manager"]).exists()
    # The organism's administrator may.
    OrganismAdministrator.objects.create(organism=w["organism"], user=w["manager"], role="PRINCIPAL")
    w["manager"].is_partner_admin = True
    w["manager"].save()
    assert services.roles_give(
        access=access_context_for(w["manager"]),
        user=w["manager"],
        role="FDA",
        activities=[w["peri"]],
        actor=w["manager"],
    )


def test_only_afas_declarer_members_of_the_partner_may_receive_a_role(client, login, moulins):
    w = moulins
    stranger = UserFactory(organism=w["organism"], nom="Sansgroupe")
    other_declarer_group, _ = afas_groups()
    outsider = declarer_of(other_declarer_group, nom="Ailleurs")
    login(w["manager"])
    for user in (stranger, outsider):
        page = text(
            give(
                w, {"utilisateur": user.pk, "role": "FDA", "portee": "ACTIVITES", "activites": [w["peri"].pk]}, client
            )
        )
        assert "Choisissez un utilisateur du partenaire membre du groupe AFAS-DECLARER." in page
    # An activity of another partner is not offered, and ticking it is refused.
    other_activity = activity(other_declarer_group.convention.organism, "Ailleurs ALSH")
    page = text(
        give(
            w,
            {"utilisateur": w["camille"].pk, "role": "FDA", "portee": "ACTIVITES", "activites": [other_activity.pk]},
            client,
        )
    )
    assert "Choisissez des activités de la liste." in page and "Ailleurs ALSH" not in page
    assert not RoleAssignment.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"date_ouverture": "demain"}, "Saisissez une date valide"),
        (
            {"date_ouverture": (TODAY() - DAY).isoformat()},
            "La date de début ne peut pas être antérieure à aujourd'hui.",
        ),
        ({"role": "ADMIN"}, "Choisissez un rôle de la liste."),
        ({"activites": []}, "La sélection d'au moins une activité est obligatoire."),
        ({"portee": "SITES"}, "La sélection d'au moins un lieu d'implantation est obligatoire."),
        ({"activites": ["x"]}, "Choisissez des activités de la liste."),
        ({"utilisateur": "1e12"}, "Choisissez un utilisateur du partenaire"),
        ({"partenaire": "0"}, "Choisissez un partenaire dont vous gérez les habilitations."),
    ],
)
def test_bad_input_is_told_in_french_and_nothing_is_written(client, login, moulins, data, message):
    w = moulins
    login(w["manager"])
    base = {"utilisateur": w["camille"].pk, "role": "FDA", "portee": "ACTIVITES", "activites": [w["peri"].pk]}
    page = text(give(w, base | data, client))
    assert message in page and "Le formulaire contient" in page
    assert not RoleAssignment.objects.exists()


def test_afficher_refreshes_the_choices_without_writing(client, login, moulins):
    w = moulins
    login(w["manager"])
    page = text(
        client.post(
            HABILITER,
            {"action": "afficher", "partenaire": w["organism"].pk, "portee": "SITES", "activite": w["peri"].pk},
        )
    )
    assert "Sélectionner tous les lieux d'implantation de l'activité Péri Assoc" in page
    assert "Site Ecoles" in page and "Extra Assoc" not in page.split('id="choix-lieux"')[1]
    assert "Le formulaire contient" not in page and not RoleAssignment.objects.exists()


def test_ending_a_role_puts_it_under_historique_and_is_journaled(client, login, moulins):
    w = moulins
    fda = services.role_assign(user=w["camille"], role="FDA", activity=w["peri"])
    login(w["manager"])
    confirm = text(client.get(PROFILS + f"{fda.pk}/supprimer/"))
    assert "L'habilitation prend fin aujourd'hui" in confirm
    response = client.post(PROFILS + f"{fda.pk}/supprimer/")
    assert response.status_code == 302
    fda.refresh_from_db()
    assert fda.date_cloture == TODAY()
    assert JournalEntry.objects.filter(event="afas.role_ended", actor=w["manager"], user=w["camille"]).exists()
    actif = text(client.get(PROFILS))
    assert "MASSON Camille" not in actif.split('id="resultats"')[1]
    historique = text(client.get(PROFILS, {"etat": "HISTORIQUE", "lieux": "OUI"}))
    row = historique.split("● Activité : Péri Assoc")[1]
    assert "MASSON Camille" in row and TODAY().strftime("%d/%m/%Y") in row and "Supprimer" not in row


def test_another_partners_role_answers_404(client, login, moulins):
    w = moulins
    other_group, _ = afas_groups()
    theirs = services.role_assign(
        user=declarer_of(other_group), role="FDA", activity=activity(other_group.convention.organism, "Leur ALSH")
    )
    login(w["manager"])
    assert client.get(PROFILS + f"{theirs.pk}/supprimer/").status_code == 404
    assert client.post(PROFILS + f"{theirs.pk}/supprimer/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.date_cloture is None
    assert "Leur ALSH" not in text(client.get(PROFILS, {"etat": "ACTIF"}))


def test_inactif_and_non_attribue(client, login, moulins):
    w = moulins
    services.role_assign(user=w["camille"], role="FDA", activity=w["peri"])
    services.role_assign(user=w["camille"], role="FDF", activity=w["peri"], date_ouverture=TODAY() + DAY)  # later
    services.role_assign(user=w["paul"], role="FDA", site=w["peri_ecoles"])
    w["paul"].memberships.update(date_cloture=TODAY())  # no longer a declarer: his role gives nothing
    login(w["manager"])
    inactif = text(client.get(PROFILS, {"etat": "INACTIF", "lieux": "OUI"})).split('id="resultats"')[1]
    assert "Fournisseur de données financières" in inactif and "DURAND Paul" in inactif
    assert 'Fournisseur de données d\'activité</th><td data-label="Utilisateur">MASSON' not in inactif
    missing = text(client.get(PROFILS, {"etat": "NON_ATTRIBUE", "lieux": "OUI"})).split('id="resultats"')[1]
    peri = missing.split("● Activité : Péri Assoc")[1].split("●")[0]
    assert "Approbateur" in peri and "Fournisseur de données financières" in peri
    assert "Fournisseur de données d'activité" not in peri  # Camille holds it
    assert "● Lieu d'implantation : Site Ecoles (Péri Assoc)" in missing  # Paul's gives nothing today
    assert "● Activité : Multi-accueil" in missing


def test_only_afas_habiliter_users_reach_the_screens(client, login, moulins):
    w = moulins
    login(w["camille"])
    for url in (PROFILS, HABILITER):
        assert client.get(url).status_code == 403


def test_the_search_costs_the_same_for_few_or_many_roles(client, login, moulins, django_assert_num_queries):
    w = moulins
    login(w["manager"])
    for n in range(3):
        services.role_assign(user=w["camille"], role="FDA", activity=activity(w["organism"], f"A{n}"))
    with CaptureQueriesContext(connection) as few:
        text(client.get(PROFILS))
    for n in range(3, 40):
        user = declarer_of(w["declarer_group"], nom=f"N{n}")
        services.role_assign(user=user, role="FDA", activity=activity(w["organism"], f"A{n}"))
    with django_assert_num_queries(len(few)):
        page = text(client.get(PROFILS))
    assert page.count("● Activité : A") == 40
