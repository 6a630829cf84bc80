"""One French order on every list (issue 12, item 4): names by the French collation ("Lagare" before "LEROY",
"Étienne" with the E's, whatever the case and accents typed), group codes in natural order (T4 before T18) in the
groups list and in every choice list of groups."""

import re

import pytest

from core.collation import _sqlite_compare, fold, natural_key
from tests.factories import GroupFactory, UserFactory
from tests.habilitations.test_conventions_views import World, content, manager_client

pytestmark = pytest.mark.django_db

CODES_IN_ORDER = ["AFAS-DEC", "T1", "T1-CESF", "T2", "T4", "T18", "T19"]


def test_natural_key_orders_numbers_by_value_and_letters_folded():
    assert sorted(["T18", "T4", "T19", "T1-CESF", "AFAS-DEC", "T2", "T1"], key=natural_key) == CODES_IN_ORDER
    assert sorted(["LEROY", "Lagare", "ÉTIENNE", "Durand", "œuvre"], key=natural_key) == [
        "Durand",
        "ÉTIENNE",
        "Lagare",
        "LEROY",
        "œuvre",
    ]
    assert fold("Dupré-Lefèvre Œ") == "dupre-lefevre oe"
    assert _sqlite_compare("T4", "T18") == -1 and _sqlite_compare("T18", "T4") == 1 and _sqlite_compare("a", "a") == 0


def names_in_table(page: str) -> list[str]:
    body = page[page.index('id="utilisateurs"') :]
    return re.findall(r'<td data-label="Nom">([^<]+)</td>', body[: body.index("</tbody>")])


def test_the_users_list_orders_names_the_french_way():
    """A name typed in mixed case or with an accent sorts with the others: the database's byte order put "LEROY"
    before "Lagare" and "Étienne" after "ZOLA"."""
    world = World()
    for nom in ["LEROY", "Zola", "Lagare", "Étienne", "durand"]:
        UserFactory(organism=world.organism, nom=nom, prenom="Test")
    names = [
        name
        for name in names_in_table(
            content(
                manager_client(world.admin).get(
                    f"/gestion-des-habilitations/conventions/{world.convention.pk}/utilisateurs/"
                )
            )
        )
        if name in {"LEROY", "ZOLA", "LAGARE", "ÉTIENNE", "DURAND"}
    ]
    assert names == ["DURAND", "ÉTIENNE", "LAGARE", "LEROY", "ZOLA"]


@pytest.fixture
def coded_world():
    world = World()  # has T1 and AFAS-DEC
    for code in ["T18", "T4", "T19", "T1-CESF", "T2"]:
        GroupFactory(code=code, convention=world.convention, responsable=world.admin)
    return world


def test_the_groups_list_orders_codes_naturally(coded_world):
    page = content(
        manager_client(coded_world.admin).get(
            f"/gestion-des-habilitations/conventions/{coded_world.convention.pk}/groupes/"
        )
    )
    body = page[page.index('id="groupes"') :]
    assert re.findall(r'<th scope="row">([^<]+)</th>', body[: body.index("</tbody>")]) == CODES_IN_ORDER


def test_the_group_choice_lists_order_codes_naturally(coded_world):
    """The users list's "Sélectionner un groupe" and "Ajouter à un groupe"."""
    client = manager_client(coded_world.admin)
    convention = coded_world.convention.pk
    for url, select in [
        (f"/gestion-des-habilitations/conventions/{convention}/utilisateurs/", "id_group"),
        (f"/gestion-des-habilitations/conventions/{convention}/ajouter-au-groupe/", "id_group"),
    ]:
        page = content(client.get(url))
        options = page[page.index(f'id="{select}"') :]
        options = options[: options.index("</select>")]
        codes = [label.split(" ")[0] for label in re.findall(r'<option value="\d+">([^<]+)</option>', options)]
        assert codes == CODES_IN_ORDER, url
