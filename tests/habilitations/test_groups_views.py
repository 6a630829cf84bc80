"""Groupes utilisateurs: the list (filters, menu, pages, constant queries), "Créer un groupe utilisateurs" (with
the inline "Créer..." of the responsable), "Modifier le groupe", "Habilitations du groupe" — and guide 001 end to
end through the test client. Every refused input leaves the database as it was."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.mail.models import OutgoingEmail
from habilitations.access.context import access_context_for
from habilitations.journal import Event, JournalEntry
from habilitations.models import ConventionProfile, GroupGrant, Membership, User, UserGroup
from tests.factories import ConventionFactory, GroupFactory, UserFactory, convention_profile
from tests.habilitations.test_conventions_views import World, administrator_of, manager_client

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


def page(response) -> str:
    return html.unescape(response.content.decode())


def field_errors(response, field_id: str) -> str:
    """The errors shown next to the field `field_id` (Django renders them in ul#<id>_error)."""
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', page(response), re.S)
    return match.group(1) if match else ""


def counts():
    return (
        UserGroup.objects.count(),
        User.objects.count(),
        GroupGrant.objects.count(),
        Membership.objects.count(),
        OutgoingEmail.objects.count(),
    )


def groups_url(world):
    return f"/gestion-des-habilitations/conventions/{world.convention.pk}/groupes/"


def create_url(world):
    return f"/gestion-des-habilitations/conventions/{world.convention.pk}/groupes/creer/"


NOT_A_RESPONSABLE = "Le responsable d'habilitations doit être un utilisateur ouvert de l'organisme."


def group_form(**changes):
    data = {
        "code": "t2",
        "libelle": "CDAP T2",
        "date_ouverture": TODAY().isoformat(),
        "date_cloture": "",
        "responsable_mode": "existant",
        "responsable": "",
        "nouveau_nom": "",
        "nouveau_prenom": "",
        "nouveau_email": "",
        "nouveau_email_confirm": "",
        "parent": "",
    }
    data.update(changes)
    return data


# --- The list -----------------------------------------------------------------------------------------------


def test_administrator_sees_every_group_with_the_guide_columns_and_menu(world, admin):
    response = admin.get(groups_url(world))
    text = page(response)
    assert response.status_code == 200
    assert "GROUPES UTILISATEURS" in text and f"Convention sélectionnée :</dt><dd>{world.convention.libelle}" in text
    for header in ["Code", "Libellé", "Niveau", "Date d'ouverture", "Date de clôture", "Statut"]:
        assert f'<th scope="col">{header}</th>' in text
    assert '<th scope="col" class="col-actions">Autres actions</th>' in text
    assert '<th scope="row">T1</th>' in text and "CDAP T1" in text and '<th scope="row">AFAS-DEC</th>' in text
    assert "AUTRE" not in text  # another organism's group
    assert 'class="actions-toggle" popovertarget="actions-groupe-' in text and ">Choisir...<" in text
    assert f'href="/gestion-des-habilitations/groupes/{world.t1.pk}/habilitations/">Habilitations du groupe' in text
    assert f"ajouter-au-groupe/?group={world.t1.pk}\">Ajouter l'utilisateur au groupe" in text
    assert f"/groupes/{world.t1.pk}/appartenances/\">Gérer l'appartenance de l'utilisateur" in text
    assert f'/groupes/{world.t1.pk}/modifier/">Modifier' in text
    assert ">Créer un groupe</a>" in text


def test_responsable_sees_only_their_groups_and_no_administrator_action(world, responsable):
    text = page(responsable.get(groups_url(world)))
    assert '<th scope="row">T1</th>' in text and "AFAS-DEC" not in text
    assert "Habilitations du groupe" not in text and "Créer un groupe" not in text and ">Modifier<" not in text
    assert "Ajouter l'utilisateur au groupe" in text and "Gérer l'appartenance de l'utilisateur" in text


def test_filters_code_libelle_and_member(world, admin):
    def codes(**params):
        text = page(admin.get(groups_url(world), params))
        return re.findall(r'<th scope="row">([^<]+)</th>', text)

    assert codes(code="afas") == ["AFAS-DEC"]
    assert codes(libelle="cdap") == ["T1"]
    assert codes(utilisateur=world.t1_member.pk) == ["T1"]
    assert codes(utilisateur=world.afas_member.pk) == ["AFAS-DEC"]
    assert codes(utilisateur=world.loner.pk) == []
    # Another organism's user is no choice: reported, and ignored.
    response = admin.get(groups_url(world), {"utilisateur": world.other_user.pk})
    assert "Choisissez un utilisateur de la liste." in page(response)
    assert codes(utilisateur="not-a-number") == ["AFAS-DEC", "T1"]


def test_a_closed_membership_does_not_count_for_the_member_filter(world, admin):
    Membership.objects.filter(user=world.t1_member).update(date_cloture=TODAY())
    assert '<th scope="row">T1</th>' not in page(admin.get(groups_url(world), {"utilisateur": world.t1_member.pk}))


def test_another_organisms_convention_answers_404(world, admin, responsable):
    url = f"/gestion-des-habilitations/conventions/{world.other_convention.pk}/groupes/"
    assert admin.get(url).status_code == 404
    assert responsable.get(url).status_code == 404
    assert admin.get(f"{url}creer/").status_code == 404


def test_a_plain_user_gets_403(world):
    assert manager_client(world.loner).get(groups_url(world)).status_code == 403


def test_the_list_is_paginated_and_costs_the_same_for_10_or_200_groups(world, admin):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = admin.get(groups_url(world), {"utilisateur": world.t1_member.pk, "libelle": "g"})
        assert response.status_code == 200
        with CaptureQueriesContext(connection) as ctx_plain:
            response = admin.get(groups_url(world))
        return len(ctx), len(ctx_plain), page(response)

    GroupFactory.create_batch(8, convention=world.convention, responsable=world.responsable)
    small_filtered, small, text = queries()
    assert "Page 1 sur 1" in text
    GroupFactory.create_batch(190, convention=world.convention, responsable=world.responsable)
    UserFactory.create_batch(50, organism=world.organism)
    large_filtered, large, text = queries()
    assert "Page 1 sur 10 — 200 résultats" in text and "200 résultats" in text and "Page suivante" in text
    assert (small, small_filtered) == (large, large_filtered)
    assert large <= 12, large


# --- Créer un groupe utilisateurs ---------------------------------------------------------------------------


def test_the_creation_form_has_the_guide_fields(world, admin):
    text = page(admin.get(create_url(world)))
    assert "CRÉER UN GROUPE UTILISATEURS" in text
    for label in ["Code", "Libellé", "Date d'ouverture", "Date de clôture", "Sous-groupe de"]:
        assert f">{label}" in text
    assert "Responsable habilitations (obligatoire)" in text
    assert "Sélectionner un utilisateur" in text and "Créer..." in text
    assert "(Choisir un groupe existant)" in text
    assert f'value="{TODAY().isoformat()}"' in text  # Date d'ouverture: today
    assert ">Annuler</a>" in text and ">Créer le groupe</button>" in text
    # The select offers the organism's open users, never another organism's.
    assert f'<option value="{world.loner.pk}">' in text and f'value="{world.other_user.pk}"' not in text


def test_responsable_cannot_create_groups(world, responsable):
    before = counts()
    assert responsable.get(create_url(world)).status_code == 403
    assert responsable.post(create_url(world), group_form(responsable=world.loner.pk)).status_code == 403
    assert counts() == before


def test_administrator_creates_a_group_with_an_existing_responsable(world, admin):
    response = admin.post(create_url(world), group_form(responsable=world.loner.pk))
    assert response.status_code == 302 and response["Location"] == groups_url(world)
    group = UserGroup.objects.get(convention=world.convention, code="T2")
    assert (group.libelle, group.niveau, group.responsable, group.parent) == ("CDAP T2", 1, world.loner, None)
    assert JournalEntry.objects.filter(event=Event.GROUP_CREATED, actor=world.admin, data__group="T2").exists()
    text = page(admin.get(groups_url(world)))
    assert "Le groupe T2 - CDAP T2 a été créé." in text and '<th scope="row">T2</th>' in text


def test_a_sous_groupe_gets_the_next_level(world, admin):
    admin.post(create_url(world), group_form(responsable=world.loner.pk, parent=world.t1.pk))
    child = UserGroup.objects.get(code="T2")
    assert (child.parent, child.niveau) == (world.t1, 2)


def test_creer_creates_the_responsable_in_the_same_transaction(world, admin):
    users = User.objects.count()
    response = admin.post(
        create_url(world),
        group_form(
            responsable_mode="nouveau",
            nouveau_nom="Lagare",
            nouveau_prenom="Xavier",
            nouveau_email="x.lagare@partenaire.fr",
            nouveau_email_confirm="X.Lagare@partenaire.fr",
        ),
    )
    assert response.status_code == 302
    group = UserGroup.objects.get(code="T2")
    created = group.responsable
    assert User.objects.count() == users + 1
    assert (created.nom, created.prenom, created.email, created.organism) == (
        "Lagare",
        "Xavier",
        "x.lagare@partenaire.fr",
        world.organism,
    )
    assert set(OutgoingEmail.objects.filter(user=created).values_list("kind", flat=True)) == {
        "identifiant",
        "provisional_password",
    }
    assert f"identifiant {created.identifiant}" in page(admin.get(groups_url(world)))


def test_a_refused_group_leaves_no_inline_responsable_behind(world, admin):
    before = counts()
    response = admin.post(
        create_url(world),
        group_form(
            code="T1",  # the open group T1 already has it
            responsable_mode="nouveau",
            nouveau_nom="Lagare",
            nouveau_prenom="Xavier",
            nouveau_email="x.lagare@partenaire.fr",
            nouveau_email_confirm="x.lagare@partenaire.fr",
        ),
    )
    assert response.status_code == 200
    assert "Un groupe ouvert de la convention porte déjà ce code." in field_errors(response, "id_code")
    assert counts() == before


@pytest.mark.parametrize(
    "changes, field_id, message",
    [
        (
            {"date_ouverture": "2026-05-10", "date_cloture": "2026-05-01"},
            "id_date_cloture",
            "La date de clôture doit être postérieure ou égale à la date d'ouverture.",
        ),
        ({"code": "T1"}, "id_code", "Un groupe ouvert de la convention porte déjà ce code."),
        ({"code": " t1 "}, "id_code", "Un groupe ouvert de la convention porte déjà ce code."),
        ({"code": ""}, "id_code", "Saisissez le code du groupe."),
        ({"libelle": ""}, "id_libelle", "Saisissez le libellé du groupe."),
        ({"date_ouverture": "31/02/2026"}, "id_date_ouverture", "Saisissez une date valide"),
        ({"responsable": ""}, "id_responsable", "Sélectionnez le responsable habilitations."),
        ("other_user", "id_responsable", NOT_A_RESPONSABLE),
        ("closed_user", "id_responsable", NOT_A_RESPONSABLE),
        ("other_group", "id_parent", "Choisissez un groupe ouvert de la convention."),
        ({"responsable_mode": "nouveau"}, "id_nouveau_nom", "Saisissez le nom du responsable."),
        (
            {
                "responsable_mode": "nouveau",
                "nouveau_nom": "A",
                "nouveau_prenom": "B",
                "nouveau_email": "a@b.fr",
                "nouveau_email_confirm": "c@b.fr",
            },
            "id_nouveau_email_confirm",
            "Les deux adresses mail ne sont pas identiques.",
        ),
        (
            {"responsable_mode": "nouveau", "nouveau_email": "pas-une-adresse"},
            "id_nouveau_email",
            "Saisissez une adresse mail valide.",
        ),
        ({"responsable_mode": "autre"}, "id_responsable_mode", "Sélectionnez un choix valide"),
        ({"code": "T\x002"}, "id_code", "Ce champ contient un caractère non autorisé."),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_writes_nothing(world, admin, changes, field_id, message):
    data = group_form(responsable=world.loner.pk)
    if changes == "other_user":
        changes = {"responsable": world.other_user.pk}
    elif changes == "closed_user":
        changes = {"responsable": UserFactory(organism=world.organism, closed=True).pk}
    elif changes == "other_group":
        changes = {"parent": world.other_group.pk}
    data.update(changes)
    before = counts()
    response = admin.post(create_url(world), data)
    assert response.status_code == 200
    assert message in field_errors(response, field_id), page(response)[:3000]
    assert "Le formulaire contient" in page(response)
    assert counts() == before


def test_extra_post_fields_are_ignored(world, admin):
    data = group_form(responsable=world.loner.pk)
    data.update(
        convention=world.other_convention.pk,
        organism=world.other_organism.pk,
        niveau=7,
        is_staff="on",
        responsable_id=world.other_user.pk,
    )
    assert admin.post(create_url(world), data).status_code == 302
    group = UserGroup.objects.get(code="T2")
    assert (group.convention, group.niveau, group.responsable) == (world.convention, 1, world.loner)
    world.loner.refresh_from_db()
    assert not world.loner.is_staff


# --- Modifier le groupe -------------------------------------------------------------------------------------


def update_url(group):
    return f"/gestion-des-habilitations/groupes/{group.pk}/modifier/"


def update_form(group, **changes):
    data = {
        "libelle": group.libelle,
        "date_ouverture": group.date_ouverture.isoformat(),
        "date_cloture": group.date_cloture.isoformat() if group.date_cloture else "",
        "responsable_mode": "existant",
        "responsable": group.responsable_id,
        "parent": group.parent_id or "",
    }
    data.update(changes)
    return data


def test_modifier_changes_libelle_and_responsable(world, admin):
    text = page(admin.get(update_url(world.t1)))
    assert "MODIFIER LE GROUPE UTILISATEURS" in text and 'value="CDAP T1"' in text
    data = update_form(world.t1, libelle="CDAP T1 bis", responsable=world.loner.pk)
    response = admin.post(update_url(world.t1), data)
    assert response.status_code == 302
    world.t1.refresh_from_db()
    assert (world.t1.code, world.t1.libelle, world.t1.responsable) == ("T1", "CDAP T1 bis", world.loner)


def test_closing_a_group_closes_its_memberships(world, admin):
    closing = TODAY() + 10 * DAY
    response = admin.post(update_url(world.t1), update_form(world.t1, date_cloture=closing.isoformat()))
    assert response.status_code == 302
    world.t1.refresh_from_db()
    assert world.t1.date_cloture == closing
    assert Membership.objects.get(user=world.t1_member, group=world.t1).date_cloture == closing
    assert Membership.objects.filter(group=world.t1).count() == 1  # closed, never deleted


def test_a_sous_groupe_cycle_is_refused(world, admin):
    child = GroupFactory(code="T1-A", convention=world.convention, parent=world.t1, responsable=world.responsable)
    before = counts()
    response = admin.post(update_url(world.t1), update_form(world.t1, parent=child.pk))
    assert "Un groupe ne peut pas être un sous-groupe de lui-même ou de ses sous-groupes." in field_errors(
        response, "id_parent"
    )
    world.t1.refresh_from_db()
    assert world.t1.parent is None and counts() == before


def test_a_group_is_not_its_own_parent(world, admin):
    response = admin.post(update_url(world.t1), update_form(world.t1, parent=world.t1.pk))
    assert "Choisissez un groupe ouvert de la convention." in field_errors(response, "id_parent")


def test_modifier_refuses_a_closing_date_before_the_opening(world, admin):
    response = admin.post(
        update_url(world.t1), update_form(world.t1, date_cloture=(world.t1.date_ouverture - DAY).isoformat())
    )
    assert "La date de clôture doit être postérieure" in field_errors(response, "id_date_cloture")
    world.t1.refresh_from_db()
    assert world.t1.date_cloture is None


def test_modifier_is_for_administrators_of_the_organism(world, admin, responsable):
    assert responsable.get(update_url(world.t1)).status_code == 403
    assert admin.get(update_url(world.other_group)).status_code == 404
    assert admin.post(update_url(world.other_group), update_form(world.other_group, libelle="X")).status_code == 404
    world.other_group.refresh_from_db()
    assert world.other_group.libelle != "X"


# --- Habilitations du groupe --------------------------------------------------------------------------------


def grants_url(group, service=""):
    return f"/gestion-des-habilitations/groupes/{group.pk}/habilitations/" + (f"?service={service}" if service else "")


def test_the_grants_page_offers_the_conventions_services_and_profiles(world, admin):
    convention_profile(world.convention, "T2")
    text = page(admin.get(grants_url(world.t1)))
    assert "HABILITATIONS DU GROUPE" in text and "T1 - CDAP T1" in text
    assert '<option value="CDAP" selected>Consulter Dossier</option>' in text
    assert '<option value="AFAS">' in text and "Adonis" not in text  # only the convention's services
    assert "T2 – Prestataires services sociaux" in text and "AFAS-DECLARER —" not in text
    assert ">Afficher les profils</button>" in text and 'hx-get="' in text
    assert ">Assigner rôle</button>" in text and ">Enregistrer</button>" in text
    # The right-hand box: the assigned roles, each with "Retirer".
    assert "Rôles assignés" in text and "T1 – Assistants service social" in text and "Retirer" in text


def test_without_javascript_afficher_les_profils_reloads_with_the_service(world, admin):
    text = page(admin.get(grants_url(world.t1, "AFAS")))
    assert '<option value="AFAS" selected>' in text
    assert "AFAS-DECLARER —" in text and "T2 –" not in text


def test_the_htmx_endpoint_returns_the_options_of_a_service(world, admin):
    convention_profile(world.convention, "T2")
    response = admin.get(f"/gestion-des-habilitations/groupes/{world.t1.pk}/profils/", {"service": "AFAS"})
    text = page(response)
    assert text.startswith('<option value="">(Choisir un profil)</option>')
    assert "AFAS-DECLARER —" in text and "T2 –" not in text and "<html" not in text
    cp = ConventionProfile.objects.get(convention=world.convention, profile__code="AFAS-DECLARER")
    assert f'<option value="{cp.pk}">' in text
    assert (
        page(admin.get(f"/gestion-des-habilitations/groupes/{world.t1.pk}/profils/", {"service": "X"})).count(
            "<option"
        )
        == 1
    )


def test_assigner_role_puts_it_in_the_list_and_only_enregistrer_saves_it(world, admin):
    """Guide 001: "Assigner rôle" fills the right-hand box, "Il ne reste plus qu'à enregistrer"."""
    cp = convention_profile(world.convention, "T2")
    before = counts()
    response = admin.post(grants_url(world.t1), {"service": "CDAP", "convention_profile": cp.pk, "action": "assigner"})
    assert response.status_code == 200 and counts() == before
    text = page(response)
    assert f'<input type="hidden" name="ajout" value="{cp.pk}">' in text
    assert 'T2 – Prestataires services sociaux</strong> <em class="grant-pending">(à enregistrer)' in text
    assert "Modifications non enregistrées" in text
    # Another role chosen on the same page keeps the first in the list.
    cp_afas = ConventionProfile.objects.get(convention=world.convention, profile__code="AFAS-DECLARER")
    text = page(
        admin.post(
            grants_url(world.t1),
            {"service": "AFAS", "convention_profile": cp_afas.pk, "action": "assigner", "ajout": [cp.pk]},
        )
    )
    assert text.count('name="ajout"') == 2 and counts() == before
    response = admin.post(grants_url(world.t1), {"action": "enregistrer", "ajout": [cp.pk, cp_afas.pk]})
    assert response["Location"] == groups_url(world)
    assert {g.convention_profile for g in GroupGrant.objects.filter(group=world.t1, date_cloture=None)} >= {
        cp,
        cp_afas,
    }
    assert JournalEntry.objects.filter(event=Event.GRANT_ASSIGNED).count() == 2
    assert "Les habilitations du groupe T1 - CDAP T1 sont enregistrées." in page(admin.get(groups_url(world)))


def test_retirer_marks_the_role_and_enregistrer_closes_it(world, admin):
    grant = GroupGrant.objects.get(group=world.t1)
    text = page(admin.post(grants_url(world.t1), {"retirer": grant.pk}))
    grant.refresh_from_db()
    assert grant.date_cloture is None  # nothing written yet
    assert f'<input type="hidden" name="retrait" value="{grant.pk}">' in text and "(retiré à l'enregistrement)" in text
    # "Garder" takes it back out of the list.
    text = page(admin.post(grants_url(world.t1), {"garder": grant.pk, "retrait": grant.pk}))
    assert 'name="retrait"' not in text
    assert admin.post(grants_url(world.t1), {"action": "enregistrer", "retrait": grant.pk}).status_code == 302
    grant.refresh_from_db()
    assert grant.date_cloture == TODAY()  # closed, not deleted
    assert "T1 – Assistants" not in page(admin.get(grants_url(world.t1))).split("Rôles assignés")[1]


def test_annuler_leaves_the_grants_as_they_were(world, admin):
    """Annuler is a link back to the list: the pending list lives only in the page, so nothing of it is saved."""
    cp = convention_profile(world.convention, "T2")
    grant = GroupGrant.objects.get(group=world.t1)
    text = page(admin.post(grants_url(world.t1), {"retirer": grant.pk, "ajout": [cp.pk]}))
    assert f'<a href="{groups_url(world)}" class="button">Annuler</a>' in text
    before = counts()
    text = page(admin.get(groups_url(world)))
    assert counts() == before and not GroupGrant.objects.filter(convention_profile=cp).exists()
    grant.refresh_from_db()
    assert grant.date_cloture is None


def test_enlever_takes_a_pending_role_out_of_the_list(world, admin):
    cp = convention_profile(world.convention, "T2")
    text = page(admin.post(grants_url(world.t1), {"enlever": cp.pk, "ajout": [cp.pk]}))
    assert 'name="ajout"' not in text and "(à enregistrer)" not in text


def test_a_refused_assignment_at_enregistrer_saves_nothing_of_the_list(world, admin):
    """One transaction: the withdrawal marked with it is rolled back too, and the list stays on the page."""
    grant = GroupGrant.objects.get(group=world.t1)
    cp = convention_profile(world.convention, "T2")
    GroupGrant.objects.create(group=world.t1, convention_profile=cp, date_ouverture=TODAY())  # saved meanwhile
    before = counts()
    response = admin.post(grants_url(world.t1), {"action": "enregistrer", "retrait": grant.pk, "ajout": [cp.pk]})
    assert response.status_code == 200
    assert "Le groupe détient déjà ce profil." in field_errors(response, "id_convention_profile")
    assert counts() == before and not JournalEntry.objects.filter(event=Event.GRANT_CLOSED).exists()
    grant.refresh_from_db()
    assert grant.date_cloture is None
    assert f'name="retrait" value="{grant.pk}"' in page(response)


def test_a_role_already_in_the_list_is_refused_next_to_the_field(world, admin):
    cp = convention_profile(world.convention, "T2")
    response = admin.post(
        grants_url(world.t1), {"service": "CDAP", "convention_profile": cp.pk, "action": "assigner", "ajout": [cp.pk]}
    )
    assert "Le groupe détient déjà ce profil." in field_errors(response, "id_convention_profile")
    assert page(response).count('name="ajout"') == 1


def test_a_pending_id_that_is_no_profile_of_the_group_is_dropped(world, admin):
    other = convention_profile(world.other_convention, "T2")
    before = counts()
    response = admin.post(grants_url(world.t1), {"action": "enregistrer", "ajout": [other.pk, "x", "1 OR 1=1"]})
    assert response.status_code == 302 and counts() == before


@pytest.mark.parametrize("case", ["other_convention", "closed_profile", "not_a_number", "missing", "duplicate"])
def test_a_profile_the_convention_lacks_is_refused(world, admin, case):
    if case == "other_convention":
        value = convention_profile(world.other_convention, "T2").pk
        message = "Ce profil n'est pas accordé à la convention de ce groupe."
    elif case == "closed_profile":
        value = convention_profile(world.convention, "T2", date_cloture=TODAY()).pk
        message = "Ce profil n'est pas accordé à la convention de ce groupe."
    elif case == "not_a_number":
        value, message = "1 OR 1=1", "Ce profil n'est pas accordé à la convention de ce groupe."
    elif case == "missing":
        value, message = "", "Choisissez un profil."
    else:
        value = ConventionProfile.objects.get(convention=world.convention, profile__code="T1-ASS").pk
        message = "Le groupe détient déjà ce profil."
    before = counts()
    response = admin.post(grants_url(world.t1), {"service": "CDAP", "convention_profile": value, "action": "assigner"})
    assert response.status_code == 200
    assert message in field_errors(response, "id_convention_profile")
    assert counts() == before


def test_retirer_another_groups_grant_answers_404(world, admin):
    other = GroupGrant.objects.get(group=world.afas)
    assert admin.post(grants_url(world.t1), {"retirer": other.pk}).status_code == 404
    assert admin.post(grants_url(world.t1), {"retirer": "x"}).status_code == 404
    assert admin.post(grants_url(world.t1), {"action": "enregistrer", "retrait": other.pk}).status_code == 404
    other.refresh_from_db()
    assert other.date_cloture is None


def test_grants_are_for_administrators_of_the_organism(world, admin, responsable):
    assert responsable.get(grants_url(world.t1)).status_code == 403
    before = counts()
    cp = ConventionProfile.objects.get(convention=world.convention, profile__code="AFAS-DECLARER")
    assert responsable.post(grants_url(world.t1), {"convention_profile": cp.pk}).status_code == 403
    assert responsable.get(f"/gestion-des-habilitations/groupes/{world.t1.pk}/profils/").status_code == 403
    assert admin.get(grants_url(world.other_group)).status_code == 404
    assert admin.get(f"/gestion-des-habilitations/groupes/{world.other_group.pk}/profils/").status_code == 404
    assert counts() == before


def test_enregistrer_returns_to_the_list_with_a_message(world, admin):
    response = admin.post(grants_url(world.t1), {"action": "enregistrer"})
    assert response["Location"] == groups_url(world)
    assert "Les habilitations du groupe T1 - CDAP T1 sont enregistrées." in page(admin.get(groups_url(world)))


# --- Guide 001, end to end ----------------------------------------------------------------------------------


def test_guide_001_create_group_assign_profile_add_user_gives_access():
    convention = ConventionFactory()
    organism = convention.organism
    cp = convention_profile(convention, "T1-ASS")
    admin_user = administrator_of(organism, nom="Cervayne", prenom="Lisa")
    responsable_user = UserFactory(organism=organism, nom="Dupont", prenom="Noémie")
    collaborator = UserFactory(organism=organism, nom="Lagare", prenom="Xavier")
    client = manager_client(admin_user)
    base = f"/gestion-des-habilitations/conventions/{convention.pk}"

    # Je crée un groupe: Code "T1", Libellé "CDAP T1", responsable habilitations.
    response = client.post(
        f"{base}/groupes/creer/",
        group_form(code="T1", libelle="CDAP T1", responsable=responsable_user.pk),
    )
    assert response.status_code == 302
    group = UserGroup.objects.get(convention=convention, code="T1")
    assert '<th scope="row">T1</th>' in page(client.get(f"{base}/groupes/"))

    # Choisir... → Habilitations du groupe: "Consulter Dossier", the profile, "Assigner rôle", "Enregistrer".
    text = page(client.get(f"/gestion-des-habilitations/groupes/{group.pk}/habilitations/"))
    assert "Consulter Dossier" in text and f'<option value="{cp.pk}">T1 – Assistants service social</option>' in text
    client.post(
        f"/gestion-des-habilitations/groupes/{group.pk}/habilitations/",
        {"service": "CDAP", "convention_profile": cp.pk, "action": "assigner"},
    )
    assert not GroupGrant.objects.filter(group=group).exists()  # in the list, not saved yet
    client.post(
        f"/gestion-des-habilitations/groupes/{group.pk}/habilitations/", {"action": "enregistrer", "ajout": [cp.pk]}
    )
    assert GroupGrant.objects.filter(group=group, convention_profile=cp).exists()
    assert not access_context_for(collaborator).can_use("CDAP")

    # Je rattache l'utilisateur au groupe: AJOUTER UN UTILISATEUR AU GROUPE.
    text = page(client.get(f"{base}/ajouter-au-groupe/?user={collaborator.pk}"))
    assert f'<option value="{collaborator.pk}" selected>' in text
    response = client.post(
        f"{base}/ajouter-au-groupe/",
        {
            "user": collaborator.pk,
            "group": group.pk,
            "date_ouverture": TODAY().isoformat(),
            "date_cloture": "",
            "qualification": "on",  # guide 000: the manager attests the user holds the diploma of the profile
        },
    )
    assert response.status_code == 302
    assert access_context_for(collaborator).can_use("CDAP", "T1-ASS")
    # The responsable now manages the group (and sees it), as the webinar says.
    assert access_context_for(responsable_user).responsable_group_ids == {group.pk}


BIG = "9" * 30


@pytest.mark.parametrize(
    "method, path, data",
    [
        ("get", "conventions/{c}/groupes/", {"utilisateur": BIG, "page": BIG, "code": "\x00"}),
        ("get", f"conventions/{BIG}/groupes/", {}),
        ("get", f"groupes/{BIG}/habilitations/", {}),
        ("get", "groupes/{g}/profils/", {"service": "\x00<script>"}),
        ("post", "groupes/{g}/habilitations/", {"convention_profile": BIG, "action": "assigner"}),
        ("post", "groupes/{g}/habilitations/", {"retirer": BIG}),
        ("post", "groupes/{g}/habilitations/", {"retrait": BIG, "ajout": BIG, "action": "enregistrer"}),
        ("post", "groupes/{g}/habilitations/", {"action": "n'importe quoi"}),
        ("post", "conventions/{c}/groupes/creer/", {"responsable": BIG, "parent": BIG, "date_ouverture": "99999-1-1"}),
        ("post", "groupes/{g}/modifier/", {"responsable_mode": "nouveau", "nouveau_email": "a" * 400}),
        ("post", "conventions/{c}/ajouter-au-groupe/", {"user": BIG, "group": "-1", "date_ouverture": "0000-00-00"}),
        ("post", f"appartenances/{BIG}/", {"action": "cloturer"}),
    ],
)
def test_garbage_never_gives_a_500_and_writes_nothing(world, admin, method, path, data):
    before = counts()
    url = "/gestion-des-habilitations/" + path.format(c=world.convention.pk, g=world.t1.pk)
    assert getattr(admin, method)(url, data).status_code in (200, 404)
    assert counts() == before
