"""The qualification attested in the bulk import (guide 000: « pour un profil T1, je dois m'assurer que les
utilisateurs soient détenteurs d'un diplôme relevant de ce profil », issue 21.18): a line adding a user to a group
that gives a CDAP profile says « oui » in the column `qualification`, as the box of « Ajouter au groupe » and
« Créer un utilisateur »; without it the line is rejected (the report names the column and the profile) and nothing
is applied; with it, "Appliquer" keeps who and when on the membership, journals it and shows it in « Historique de
l'appartenance »."""

import re

import pytest

from habilitations import imports
from habilitations.journal import JournalEntry
from habilitations.models import Membership, User
from tests.factories import GroupFactory, grant
from tests.habilitations.test_conventions_views import World, manager_client
from tests.habilitations.test_groups_views import page
from tests.habilitations.test_imports import TODAY, csv_upload, everything, result_url, verify

pytestmark = pytest.mark.django_db

HEADER = "nom;prenom;email;groupe;qualification"
REFUSAL = (
    "Colonne « qualification » : Confirmez que l'utilisateur détient la qualification requise pour le profil "
    "{profils} : « oui » dans la colonne qualification."
)


@pytest.fixture
def world():
    return World()


@pytest.fixture
def admin(world):
    return manager_client(world.admin)


def outcomes(text: str) -> dict[str, str]:
    """Line number → the « Résultat » and « Motif » cells of « Détail par ligne »."""
    rows = re.findall(r'<th scope="row">[^\d]*(\d+)</th>(.*?)</tr>', text, flags=re.S)
    return {number: " ".join(re.sub(r"<[^>]+>", " ", cells).split()) for number, cells in rows}


def attested() -> int:
    return JournalEntry.objects.filter(event="hab.qualification_attested").count()


def test_a_line_into_a_cdap_group_without_oui_is_rejected_and_says_why(world, admin):
    lines = [
        "Lagare;Xavier;x.lagare@partenaire.fr;T1;",  # 2: a new user into T1, not attested
        f"{world.loner.nom};{world.loner.prenom};{world.loner.email};T1;non",  # 3: an existing user, « non »
        "Durand;Laureline;l.durand@partenaire.fr;AFAS-DEC;",  # 4: no CDAP profile: no attestation needed
        "Sans;Groupe;sans.groupe@partenaire.fr;;",  # 5: no group
        "Peut;Etre;peut.etre@partenaire.fr;T1;peut-être",  # 6: neither oui nor non
    ]
    before = everything()
    response, token = verify(admin, world, csv_upload(lines, header=HEADER))
    text = page(response)
    rows = outcomes(text)
    assert REFUSAL.format(profils="T1-ASS") in rows["2"] and REFUSAL.format(profils="T1-ASS") in rows["3"]
    assert "Colonne « qualification » : Qualification « peut-être » : « oui » ou « non » (ou vide)." in rows["6"]
    assert "Rejetée" not in rows["4"] and "Rejetée" not in rows["5"]
    assert "Lignes rejetées : <strong>3</strong>" in text and ">Appliquer</button>" not in text
    admin.post(result_url(world, token))
    assert everything() == before
    # The CSV of « Détail par ligne » says it too, with its column.
    detail = b"".join(admin.get(f"{result_url(world, token)}detail.csv").streaming_content).decode("utf-8-sig")
    assert "qualification" in detail and "« oui » dans la colonne qualification" in detail


def test_oui_is_the_importers_attestation_kept_journaled_and_shown_in_the_history(world, admin):
    lines = [
        "Lagare;Xavier;x.lagare@partenaire.fr;T1;oui",  # 2: created into T1
        f"{world.loner.nom};{world.loner.prenom};{world.loner.email};t1;OUI",  # 3: an existing user into T1
        "Durand;Laureline;l.durand@partenaire.fr;AFAS-DEC;",  # 4: nothing to attest
    ]
    response, token = verify(admin, world, csv_upload(lines, header=HEADER))
    text = page(response)
    assert "En appliquant, vous attestez que les utilisateurs des lignes 2, 3 détiennent la qualification" in text
    assert "Qualification requise pour le profil T1-ASS attestée." in outcomes(text)["2"]
    assert "attestée" not in outcomes(text)["4"]
    assert attested() == 0  # "Vérifier" writes nothing
    admin.post(result_url(world, token))
    assert "Compte rendu : l'import est appliqué" in page(admin.get(result_url(world, token)))
    for user in (User.objects.get(email="x.lagare@partenaire.fr"), world.loner):
        membership = Membership.objects.get(user=user, group=world.t1)
        assert (membership.qualification_profils, membership.qualification_attestee_par) == ("T1-ASS", world.admin)
        assert membership.qualification_attestee_le is not None
        entry = JournalEntry.objects.get(event="hab.qualification_attested", user=user)
        assert (entry.actor, entry.organism, entry.data["profils"]) == (world.admin, world.organism, ["T1-ASS"])
        history = page(admin.get(f"/gestion-des-habilitations/appartenances/{membership.pk}/")).replace("\n", " ")
        assert f"Qualification requise pour le profil T1-ASS attestée le {TODAY():%d/%m/%Y} à " in history
        assert "par CERVAYNE Lisa." in history
    afas = Membership.objects.get(user__email="l.durand@partenaire.fr", group=world.afas)
    assert afas.qualification_attestee_le is None and attested() == 2


def test_a_sub_group_gives_its_parents_profiles(world, admin):
    child = GroupFactory(code="T1-SUD", libelle="CDAP T1 Sud", convention=world.convention, parent=world.t1)
    grant(child, "T5")
    response, _ = verify(admin, world, csv_upload(["Lagare;Xavier;x.lagare@partenaire.fr;T1-SUD;"], header=HEADER))
    assert REFUSAL.format(profils="T1-ASS, T5") in outcomes(page(response))["2"]


def test_the_verified_plan_is_checked_again_at_appliquer(world, admin):
    """The AFAS group gains a CDAP profile between "Vérifier" and "Appliquer": its line, not attested, is refused
    then and nothing is written."""
    response, token = verify(admin, world, csv_upload(["Durand;Laureline;l.durand@partenaire.fr;AFAS-DEC;"], HEADER))
    assert ">Appliquer</button>" in page(response)
    grant(world.afas, "T5")
    before = everything()
    admin.post(result_url(world, token))
    text = page(admin.get(result_url(world, token)))
    assert "L'import n'a pas été appliqué : rien n'a été enregistré" in text
    assert REFUSAL.format(profils="T5") in outcomes(text)["2"]
    assert everything() == before


def test_the_template_attests_its_example_line():
    records = imports.read_records("modele.csv", imports.template_csv())
    assert records[0].values["groupe"] == "T1" and records[0].values["qualification"] == "oui"
