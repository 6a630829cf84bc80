"""`manage.py import_dossiers`: good file, rejected lines, idempotent re-run, dry run, unreadable files, CSV."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cdap import generator as g
from cdap.models import Dossier, Payment, PaymentLine, Person, ProtectionMeasure
from tests.factories import OrganismFactory


@pytest.fixture
def organisms(db):
    OrganismFactory(siret=g.DEMO_TUTELAIRE_SIRET, nom="Association tutélaire Azur Protection")
    OrganismFactory(siret=g.DEMO_LANDLORD_SIRET, nom="Côte d'Azur Habitat")


def records():
    return [g.synthetic_record("06", "061", i, today=timezone.localdate()) for i in range(40)] + g.demo_records(
        timezone.localdate()
    )


def write_jsonl(path, items, extra_lines=()):
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, default=str, ensure_ascii=False) + "\n")
        for line in extra_lines:
            out.write(line + "\n")
    return path


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dossiers", *map(str, args), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def snapshot():
    return [
        list(model.objects.order_by("pk").values_list("pk", flat=True))
        for model in (Dossier, Person, Payment, PaymentLine, ProtectionMeasure)
    ]


def test_a_good_file_loads_every_dossier_with_its_nested_rows(organisms, tmp_path):
    items = records()
    out, err = run(write_jsonl(tmp_path / "d.jsonl", items))
    assert f"{len(items)} créés" in out and "0 refusées" in out and err == ""
    family = Dossier.objects.get(caf__code="061", numero=g.DEMO_FAMILY)
    assert family.persons.get(role="RESPONSABLE").nom_recherche == "DUPRE LEFEVRE"
    assert PaymentLine.objects.filter(payment__dossier=family).count() >= 24
    assert family.resources.filter(person__prenom="Sophie").exists()
    tenant = Dossier.objects.get(numero=g.DEMO_TENANT).housings.get()
    assert tenant.bailleur_organism.siret == g.DEMO_LANDLORD_SIRET
    assert Dossier.objects.get(caf__code="831", numero=g.DEMO_OTHER_CAF)


def test_a_rerun_changes_nothing_and_a_changed_dossier_keeps_its_row(organisms, tmp_path):
    items = records()
    path = write_jsonl(tmp_path / "d.jsonl", items)
    run(path)
    before = snapshot()
    out, _ = run(path)
    assert f"0 créés, 0 mis à jour, {len(items)} inchangés" in out
    assert snapshot() == before

    family = next(item for item in items if item["numero"] == g.DEMO_FAMILY)
    family["quotient_familial"] = 999
    family["payments"] = family["payments"][:2]
    dossier_pk = Dossier.objects.get(numero=g.DEMO_FAMILY).pk
    out, _ = run(write_jsonl(tmp_path / "d2.jsonl", items))
    assert "1 mis à jour" in out
    dossier = Dossier.objects.get(numero=g.DEMO_FAMILY)
    assert dossier.pk == dossier_pk and dossier.quotient_familial == 999 and dossier.payments.count() == 2


def test_bad_lines_are_reported_with_their_number_and_a_french_reason(organisms, tmp_path):
    good = records()[:3]
    no_responsable = {"caf": "061", "numero": "7654321", "persons": [{"role": "ENFANT", "nom": "A", "prenom": "B"}]}
    bad_date = {**good[0], "numero": "7654322", "date_situation_familiale": "31/02/2020"}
    unknown_organism = {
        **good[1],
        "numero": "7654323",
        "protection_measures": [{"organism_siret": "12345678901234", "date_debut": "2020-01-01"}],
    }
    path = write_jsonl(
        tmp_path / "d.jsonl",
        good,
        [
            "{pas du json",
            json.dumps({"caf": "061", "numero": "12345678"}),
            json.dumps(
                {"caf": "999", "numero": "1234567", "persons": [{"role": "RESPONSABLE", "nom": "X", "prenom": "Y"}]}
            ),
            json.dumps(no_responsable),
            json.dumps(bad_date, default=str),
            json.dumps(unknown_organism, default=str),
            json.dumps({**good[2], "numero": "7654324", "inconnu": 1}, default=str),
        ],
    )
    out, err = run(path)
    assert "3 créés" in out and "7 refusées" in out
    assert "Ligne 4 refusée : JSON invalide" in err
    assert "Ligne 5 refusée : numéro allocataire invalide : '12345678' (7 chiffres attendus)." in err
    assert "Ligne 6 refusée : Caf inconnue : '999'." in err
    assert "Ligne 7 refusée : le dossier n'a pas de responsable" in err
    assert "Ligne 8 refusée : dossier : « depuis le » (date_situation_familiale) invalide" in err
    assert "Ligne 9 refusée : protection_measures : aucun organisme partenaire de SIRET 12345678901234." in err
    assert "Ligne 10 refusée : dossier : champ inconnu « inconnu »." in err
    assert Dossier.objects.count() == 3


def test_dry_run_writes_nothing(organisms, tmp_path):
    out, _ = run(write_jsonl(tmp_path / "d.jsonl", records()[:5]), dry_run=True)
    assert "5 créés" in out and "rien n'a été enregistré" in out
    assert not Dossier.objects.exists() and not Person.objects.exists()


def test_unreadable_files_end_with_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="Impossible de lire le fichier .*absent.jsonl"):
        run(tmp_path / "absent.jsonl")
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_bytes(bytes(range(128, 256)) * 20)
    with pytest.raises(CommandError, match="n'est pas un texte UTF-8"):
        run(garbage)
    text = tmp_path / "text.jsonl"
    text.write_text("bonjour\nau revoir\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Aucune ligne n'a pu être importée"):
        run(text)
    assert not Dossier.objects.exists()


def test_csv_loads_the_dossier_and_its_adults_and_leaves_the_other_rubrics_alone(organisms, tmp_path):
    path = tmp_path / "d.csv"
    header = "caf;numero;situation_familiale;quotient_familial;surendettement;responsable_civilite;responsable_nom;"
    header += "responsable_prenom;responsable_date_naissance;conjoint_nom;conjoint_prenom"
    path.write_text(
        header
        + "\n061;2345678;Mariage;540;non;Mme;Lefèvre;Anaïs;1988-02-03;LEFÈVRE;Marc\n"
        + "061;2345679;Célibataire;abc;non;M.;Durand;Paul;1970-01-01;;\n"
        + "061;23;Célibataire;100;non;M.;Durand;Paul;1970-01-01;;\n",
        encoding="utf-8",
    )
    out, err = run(path)
    assert "1 créés" in out and "2 refusées" in err + out
    assert "Ligne 3 refusée" in err and "Ligne 4 refusée : numéro allocataire invalide" in err
    dossier = Dossier.objects.get(numero="2345678")
    assert sorted(dossier.persons.values_list("role", "nom_recherche")) == [
        ("CONJOINT", "LEFEVRE"),
        ("RESPONSABLE", "LEFEVRE"),
    ]
    Payment.objects.create(
        dossier=dossier,
        periode=timezone.localdate().replace(day=1),
        date_emission=timezone.localdate(),
        type_traitement="Mensuel émis",
        montant_total=10,
        montant_paye=10,
    )
    out, _ = run(path)
    assert "1 inchangés" in out
    path.write_text(header + "\n061;2345678;Mariage;560;non;Mme;Lefèvre;Anaïs;1988-02-03;LEFÈVRE;Marc\n")
    out, _ = run(path)
    assert "1 mis à jour" in out and dossier.payments.count() == 1
    assert Dossier.objects.get(numero="2345678").quotient_familial == 560
