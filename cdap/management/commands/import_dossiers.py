"""Load the Caf's dossiers allocataires from a JSON-lines or CSV file: streaming, idempotent, in batches."""

import csv
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import CommandError
from django.db import DatabaseError, transaction

from cdap.loader import ALL_PARTS, RECORD_FORMAT, DossierLoader, RecordError, clean_record
from core.commands import PortalCommand

BATCH = 500
CSV_DOSSIER = (
    "caf numero situation adresse code_postal commune code_commune situation_familiale date_situation_familiale "
    "nb_enfants_pf nb_personnes_al quotient_familial surendettement"
).split()
CSV_PERSON = "civilite nom prenom date_naissance nationalite fin_titre_sejour activite date_activite".split()
CSV_ROLES = ("responsable", "conjoint")
CSV_FORMAT = f"""\
CSV (séparateur « ; » ou « , », UTF-8, une ligne d'en-tête) : le dossier et ses deux adultes seulement.
  Colonnes du dossier : {", ".join(CSV_DOSSIER)}.
  Puis, pour responsable_ et conjoint_ (colonnes du conjoint vides s'il n'y en a pas) : {", ".join(CSV_PERSON)}.
  Un dossier déjà présent n'est comparé et remplacé que sur ces colonnes et ses personnes ; ses paiements,
  droits, etc. ne changent pas."""
BOOLEANS = {"oui": True, "non": False, "o": True, "n": False, "": False}


class Command(PortalCommand):
    help = (
        "Importe des dossiers allocataires (JSON-lines ou CSV) en continu, par lots transactionnels de "
        f"{BATCH} dossiers. Idempotent : un dossier est repéré par (Caf, numéro allocataire) ; identique, il "
        "n'est pas touché ; différent, il est mis à jour. Les lignes refusées sont listées (numéro de ligne et "
        "motif) sur la sortie d'erreur ; dans un terminal, une barre de progression suit la lecture du fichier."
        "\n\n" + RECORD_FORMAT + "\n\n" + CSV_FORMAT
    )
    dry_run_help = "vérifie et compte sans rien enregistrer."
    bar = None  # the progress bar of the file being read, in a terminal

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter  # noqa: PLC0415 - keep the format examples readable

        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier à importer (« - » : entrée standard).")
        parser.add_argument(
            "--format", choices=("jsonl", "csv"), help="format du fichier (par défaut : d'après l'extension)."
        )

    def handle(self, *args, file: str, format: str | None, dry_run: bool, **options):
        path = Path(file)
        kind = format or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
        try:
            stream = sys.stdin if file == "-" else path.open(encoding="utf-8", newline="")
        except OSError as error:
            raise CommandError(f"Impossible de lire le fichier {file} : {error.strerror or error}.") from error
        started = time.perf_counter()
        totals = {"lues": 0, "créés": 0, "mis à jour": 0, "inchangés": 0, "refusées": 0}
        loader = DossierLoader()
        parts = ("persons",) if kind == "csv" else ALL_PARTS
        # Over a regular file's bytes only: stdin or a pipe (`<(zcat dossiers.jsonl.gz)`) has no size and no tell().
        regular = file != "-" and path.is_file()
        self.bar = self.progress_bar(max(path.stat().st_size // 1024, 1), "Import", unit="Ko") if regular else None
        try:
            with stream:
                batch: list[dict] = []
                keys: set = set()
                for number, record in self.records(stream, kind):
                    totals["lues"] += 1
                    if isinstance(record, RecordError):
                        self.reject(number, str(record), totals)
                        continue
                    try:
                        loader.check_references(record)
                    except RecordError as error:
                        self.reject(number, str(error), totals)
                        continue
                    key = (record["caf"], record["numero"])
                    if key in keys:  # the same dossier twice in a batch: the later line wins, after the batch
                        self.load(loader, batch, parts, dry_run, totals)
                        batch, keys = [], set()
                    batch.append(record)
                    keys.add(key)
                    if len(batch) >= BATCH:
                        self.load(loader, batch, parts, dry_run, totals)
                        batch, keys = [], set()
                        if self.bar:
                            self.bar.update(stream.buffer.tell() // 1024)  # bytes read (the text layer reads ahead)
                self.load(loader, batch, parts, dry_run, totals)
                if self.bar:
                    self.bar.update(self.bar.total)
        except UnicodeDecodeError as error:
            raise CommandError(f"Le fichier {file} n'est pas un texte UTF-8 ({error.reason}).") from error
        except OSError as error:
            raise CommandError(f"Lecture du fichier {file} interrompue : {error}.") from error
        except DatabaseError as error:
            raise CommandError(f"Erreur de la base de données, lot annulé : {error}") from error
        finally:
            if self.bar:
                self.bar.close()  # the summary, or the error, on a line of its own
        summary = ", ".join(f"{count} {label}" for label, count in totals.items())
        self.stdout.write(
            f"Import {'simulé ' if dry_run else ''}terminé en {time.perf_counter() - started:.1f} s : {summary}."
        )
        if dry_run:
            self.dry_run_notice()
        if totals["lues"] and totals["refusées"] == totals["lues"]:
            raise CommandError("Aucune ligne n'a pu être importée.")

    def reject(self, number: int, reason: str, totals: dict) -> None:
        totals["refusées"] += 1
        if self.bar:
            self.bar.note(f"Ligne {number} refusée : {reason}")
        else:
            self.stderr.write(f"Ligne {number} refusée : {reason}")

    def load(self, loader: DossierLoader, batch: list[dict], parts, dry_run: bool, totals: dict) -> None:
        if not batch:
            return
        with transaction.atomic():
            created, updated, unchanged = loader.upsert(batch, parts)
            if dry_run:
                transaction.set_rollback(True)
        totals["créés"] += created
        totals["mis à jour"] += updated
        totals["inchangés"] += unchanged

    def records(self, stream, kind: str) -> Iterator[tuple[int, dict | RecordError]]:
        """(line number, typed record or the RecordError that rejects it), one line at a time."""
        if kind == "csv":
            yield from self.csv_records(stream)
            return
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                yield number, clean_record(json.loads(line))
            except json.JSONDecodeError as error:
                yield number, RecordError(f"JSON invalide ({error.msg}, colonne {error.colno}).")
            except RecordError as error:
                yield number, error

    def csv_records(self, stream) -> Iterator[tuple[int, dict | RecordError]]:
        header = stream.readline()
        delimiter = ";" if header.count(";") >= header.count(",") else ","
        columns = next(csv.reader([header], delimiter=delimiter), [])
        columns = [c.strip().lower() for c in columns]
        missing = [c for c in ("caf", "numero", "responsable_nom", "responsable_prenom") if c not in columns]
        if missing:
            raise CommandError(f"En-tête CSV incomplet : colonne(s) manquante(s) {', '.join(missing)}.")
        for number, row in enumerate(csv.reader(stream, delimiter=delimiter), start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                yield number, RecordError(f"{len(row)} colonnes au lieu de {len(columns)}.")
                continue
            values = {c: v.strip() for c, v in zip(columns, row, strict=True)}
            raw = {c: values[c] for c in CSV_DOSSIER if values.get(c, "") != ""}
            if "surendettement" in raw:
                raw["surendettement"] = BOOLEANS.get(raw["surendettement"].lower(), raw["surendettement"])
            raw["persons"] = []
            for role in CSV_ROLES:
                person = {f: values[f"{role}_{f}"] for f in CSV_PERSON if values.get(f"{role}_{f}", "") != ""}
                if person:
                    person.update(role=role.upper(), a_charge=False)
                    raw["persons"].append(person)
            try:
                yield number, clean_record(raw)
            except RecordError as error:
                yield number, error
