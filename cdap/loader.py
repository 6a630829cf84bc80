"""Writing dossiers in bulk: one nested record per dossier (the JSON-lines format of `import_dossiers`, also what
the demo generator produces) flattened into rows and written with COPY on PostgreSQL (bulk_create elsewhere).

A record is a dict with the Dossier's fields plus nested lists (see RECORD_FORMAT). Organisms are referenced by
SIRET (housings' `bailleur_siret`, protection measures' `organism_siret`). `clean_record` validates a record read
from a file and converts its values; the generator's records are built typed and skip it.

`DossierLoader.upsert` is idempotent by (Caf, numéro allocataire): a dossier whose content is already stored is
left alone (same ids, nothing written); a changed one keeps its row (consultations point at it) and has its
children replaced.
"""

import datetime
from collections import Counter
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, models

from cdap.models import (
    ComplementaryData,
    Debt,
    Dossier,
    HealthCoverage,
    Housing,
    Letter,
    Payment,
    PaymentLine,
    Person,
    ProtectionMeasure,
    Resource,
    Right,
    RsaPeriod,
)
from cdap.text import normalize_name
from habilitations.models import Caf, Organism

RECORD_FORMAT = """\
Une ligne = un dossier, objet JSON :
  {"caf": "061", "numero": "1234567", "situation": "Affiliation", "adresse": "…", "code_postal": "06000",
   "commune": "Nice", "code_commune": "06088", "situation_familiale": "Mariage",
   "date_situation_familiale": "2015-06-20", "nb_enfants_pf": 2, "nb_personnes_al": 4,
   "quotient_familial": 650, "surendettement": false,
   "persons": [{"role": "RESPONSABLE|CONJOINT|ENFANT|AUTRE", "civilite": "Mme", "nom": "…", "prenom": "…",
                "date_naissance": "1985-03-02", "nationalite": "Française", "fin_titre_sejour": null,
                "activite": "Salarié", "date_activite": "2019-01-01", "a_charge": true, "placement": false,
                "liens_affectifs": false, "aeeh": false,
                "resources": [{"annee": 2024, "nature": "Salaires", "montant": "21500.00"}]}],
   "payments": [{"periode": "2026-01-01", "date_emission": "2026-02-05", "type_traitement": "Mensuel émis",
                 "montant_total": "350.00", "retenue": "0", "montant_paye": "350.00",
                 "destinataire": "Allocataire", "lines": [{"prestation": "AF", "montant": "350.00"}]}],
   "rights": [{"mois": "2026-01-01", "prestation": "AF", "montant": "350.00", "sous_seuil": false,
               "suspendu": false, "beneficiaire": "" (ou RESPONSABLE|CONJOINT : AAH, MVA…)}],
   "resources": [{"mois": "2026-01-01", "nature": "Ressources mensuelles", "montant": "1200.00"}],
   "rsa_periods": [{"date_debut": "2023-01-01", "date_fin": null, "orientation": "Sociale",
                    "numero_instructeur": "006C0880100000"}],
   "housings": [{"type_occupation": "Logement conventionné", "loyer": "520.00", "numero_bailleur": "…",
                 "nom_bailleur": "…", "bailleur_siret": "…", "actuel": true, …}],
   "debts": [{"nature": "…", "montant": "…", "reste_du": "…", "plan": "…"}],
   "letters": [{"date_reception": "…", "objet": "…", "etat": "…"}],
   "health_coverages": [{"kind": "CMU|CMUC|RSA|CMUC_RESSOURCES", "date_debut": "…", "libelle": "…"}],
   "complementary_data": [{"nature": "AEEH", "detail": "…"}],
   "protection_measures": [{"organism_siret": "…", "mesure": "Tutelle", "date_debut": "…", "date_fin": null}]}
Toutes les listes sont facultatives ; dates AAAA-MM-JJ ; montants en euros avec un point décimal ;
quotient_familial absent ou null : QF inconnu de la Caf (« Donnée indisponible », jamais 0 €)."""

# (key in the record, model, parent foreign key attname); nested lists after their parents.
CHILDREN = (
    ("persons", Person),
    ("payments", Payment),
    ("rights", Right),
    ("resources", Resource),
    ("rsa_periods", RsaPeriod),
    ("housings", Housing),
    ("debts", Debt),
    ("letters", Letter),
    ("health_coverages", HealthCoverage),
    ("complementary_data", ComplementaryData),
    ("protection_measures", ProtectionMeasure),
)
ALL_PARTS = tuple(key for key, _ in CHILDREN)
ORDER = (Dossier, Person, Payment, PaymentLine, Right, Resource) + tuple(m for _, m in CHILDREN[3:] if m != Resource)
SIRET_KEYS = {
    Housing: ("bailleur_siret", "bailleur_organism_id"),
    ProtectionMeasure: ("organism_siret", "organism_id"),
}
# Columns the loader fills itself (ids, parents, derived values): never read from a record.
INTERNAL = {"id", "dossier_id", "payment_id", "person_id", "caf_id", "nom_recherche", "bailleur_organism_id"}
INTERNAL_ORGANISM = {"organism_id"}


ADVISORY_LOCK = 0x0CDA0001


class RecordError(ValueError):
    """A record that cannot be loaded; the message is French, for the rejection report."""


def _columns(model) -> list[tuple[str, object]]:
    """(attname, default) for each concrete column, in table order."""
    columns = []
    for field in model._meta.concrete_fields:
        default = field.get_default() if field.has_default() else ("" if field.empty_strings_allowed else None)
        columns.append((field.attname, default))
    return columns


COLUMNS = {model: _columns(model) for model in ORDER}
DATA_FIELDS = {
    model: [f for f in model._meta.concrete_fields if f.attname not in INTERNAL | INTERNAL_ORGANISM] for model in ORDER
}


def _clean_fields(model, values: dict, where: str) -> dict:
    if not isinstance(values, dict):
        raise RecordError(f"{where} : un objet est attendu.")
    extra = {SIRET_KEYS[model][0]} if model in SIRET_KEYS else set()
    allowed = {f.attname for f in DATA_FIELDS[model]} | extra
    allowed |= {key for key, _ in CHILDREN} if model is Dossier else set()
    allowed |= {"resources"} if model is Person else set()
    allowed |= {"lines"} if model is Payment else set()
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise RecordError(f"{where} : champ inconnu « {unknown[0]} ».")
    cleaned = {}
    for field in DATA_FIELDS[model]:
        if field.attname not in values:
            if not field.has_default() and not field.blank and not field.null:
                raise RecordError(f"{where} : le champ « {field.verbose_name} » ({field.attname}) est obligatoire.")
            continue
        raw = values[field.attname]
        try:
            if raw is None and not field.null:
                raise ValidationError("valeur vide")
            value = field.to_python(raw)
            if isinstance(field, models.CharField) and value is None:
                value = ""
            if value not in (None, "") or not field.blank:
                field.run_validators(value)
            if field.choices and value not in {c for c, _ in field.choices} and not (value == "" and field.blank):
                raise ValidationError("valeur non prévue")
        except ValidationError as error:
            raise RecordError(
                f"{where} : « {field.verbose_name} » ({field.attname}) invalide : {raw!r} "
                f"({'; '.join(error.messages)})."
            ) from error
        cleaned[field.attname] = value
    if extra:
        key = SIRET_KEYS[model][0]
        if values.get(key) not in (None, ""):
            cleaned[key] = str(values[key])
    return cleaned


def _list(values: dict, key: str, where: str) -> list:
    items = values.get(key) or []
    if not isinstance(items, list):
        raise RecordError(f"{where} : « {key} » doit être une liste.")
    return items


def clean_record(raw: dict) -> dict:
    """Validate a record read from a file and return it typed (dates, decimals, booleans). Raises RecordError."""
    if not isinstance(raw, dict):
        raise RecordError("un objet JSON (un dossier) est attendu.")
    caf = str(raw.get("caf") or "").strip()
    if not caf:
        raise RecordError("le code de la Caf (caf) est obligatoire.")
    numero = str(raw.get("numero") or "").strip()
    if not (len(numero) == 7 and numero.isascii() and numero.isdigit()):
        raise RecordError(f"numéro allocataire invalide : {numero!r} (7 chiffres attendus).")
    record = _clean_fields(Dossier, {k: v for k, v in raw.items() if k != "caf"}, "dossier")
    record["caf"] = caf
    for key, model in CHILDREN:
        children = []
        for position, item in enumerate(_list(raw, key, "dossier"), start=1):
            where = f"{key}[{position}]"
            child = _clean_fields(model, item, where)
            if model is Person:
                if not child.get("nom") or not child.get("prenom"):
                    raise RecordError(f"{where} : nom et prénom sont obligatoires.")
                child["resources"] = [
                    _clean_fields(Resource, r, f"{where}.resources[{n}]")
                    for n, r in enumerate(_list(item, "resources", where), start=1)
                ]
            if model is Payment:
                child["lines"] = [
                    _clean_fields(PaymentLine, line, f"{where}.lines[{n}]")
                    for n, line in enumerate(_list(item, "lines", where), start=1)
                ]
            children.append(child)
        record[key] = children
    if not any(p["role"] == Person.Role.RESPONSABLE for p in record["persons"]):
        raise RecordError("le dossier n'a pas de responsable (persons, role RESPONSABLE).")
    return record


class IdAllocator:
    """Primary keys handed out before the rows are written, so children can point at their parents in one pass."""

    BLOCK = 20000

    def __init__(self):
        self.free: dict = {}  # model -> (reserved ids, position of the next free one)
        self.next_sqlite: dict = {}

    def take(self, model, count: int = 1) -> list[int]:
        pool, position = self.free.get(model, ((), 0))
        if position + count > len(pool):
            pool = list(pool[position:]) + self._reserve(model, max(count, self.BLOCK))
            position = 0
        self.free[model] = (pool, position + count)
        return pool[position : position + count]

    def _reserve(self, model, count: int) -> list[int]:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # One contiguous block per call (nextval row by row costs more than the COPY). Loaders are the only
                # writers of these tables; the advisory lock keeps two loaders from interleaving their blocks.
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s)",
                    [table, table, count - 1],
                )
                last = cursor.fetchone()[0]
                return list(range(last - count + 1, last + 1))
            if model not in self.next_sqlite:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - our own table name
                self.next_sqlite[model] = cursor.fetchone()[0] + 1
        start = self.next_sqlite[model]
        self.next_sqlite[model] = start + count
        return list(range(start, start + count))


def _row(model, values: dict) -> tuple:
    get = values.get
    return tuple([get(name, default) for name, default in COLUMNS[model]])


class DossierLoader:
    """Buffers the rows of many dossiers and writes them in one go per table (`flush`)."""

    def __init__(self):
        self.ids = IdAllocator()
        self.rows: dict = {model: [] for model in ORDER}
        self.cafs = {caf.code: caf.pk for caf in Caf.objects.all()}
        self.organisms: dict[str, int | None] = {}

    def caf_id(self, code: str) -> int:
        try:
            return self.cafs[code]
        except KeyError:
            raise RecordError(f"Caf inconnue : {code!r}.") from None

    def organism_id(self, siret: str) -> int | None:
        if siret not in self.organisms:
            self.organisms[siret] = Organism.objects.filter(siret=siret).values_list("pk", flat=True).first()
        return self.organisms[siret]

    def check_references(self, record: dict) -> None:
        """Raise RecordError when the record names a Caf or an organism we do not know."""
        self.caf_id(record["caf"])
        for key, model in (("housings", Housing), ("protection_measures", ProtectionMeasure)):
            siret_key = SIRET_KEYS[model][0]
            for item in record.get(key, ()):
                siret = item.get(siret_key)
                if siret and self.organism_id(siret) is None:
                    raise RecordError(f"{key} : aucun organisme partenaire de SIRET {siret}.")
                if model is ProtectionMeasure and not siret:
                    raise RecordError(
                        "protection_measures : le SIRET de l'organisme (organism_siret) est obligatoire."
                    )

    def add(self, record: dict, dossier_id: int | None = None) -> int:
        """Queue a record's rows; with `dossier_id`, the dossier row exists already and only children are queued."""
        if dossier_id is None:
            (dossier_id,) = self.ids.take(Dossier)
            self.rows[Dossier].append(
                _row(Dossier, {**record, "id": dossier_id, "caf_id": self.caf_id(record["caf"])})
            )
        for key, model in CHILDREN:
            items = record.get(key) or ()
            if not items:
                continue
            for child_id, item in zip(self.ids.take(model, len(items)), items, strict=True):
                values = {**item, "id": child_id, "dossier_id": dossier_id}
                if model is Person:
                    values["nom_recherche"] = normalize_name(item["nom"])
                    for resource in item.get("resources") or ():
                        (resource_id,) = self.ids.take(Resource)
                        self.rows[Resource].append(
                            _row(
                                Resource,
                                {**resource, "id": resource_id, "dossier_id": dossier_id, "person_id": child_id},
                            )
                        )
                elif model is Payment:
                    lines = item.get("lines") or ()
                    for line_id, line in zip(self.ids.take(PaymentLine, len(lines)), lines, strict=True):
                        self.rows[PaymentLine].append(
                            _row(PaymentLine, {**line, "id": line_id, "payment_id": child_id})
                        )
                elif model in SIRET_KEYS:
                    siret_key, attname = SIRET_KEYS[model]
                    values[attname] = self.organism_id(item[siret_key]) if item.get(siret_key) else None
                self.rows[model].append(_row(model, values))
        return dossier_id

    def pending(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def flush(self) -> int:
        """Write the queued rows (COPY on PostgreSQL); return how many were written."""
        written = 0
        for model in ORDER:
            rows = self.rows[model]
            if not rows:
                continue
            names = [name for name, _ in COLUMNS[model]]
            if connection.vendor == "postgresql":
                columns = ", ".join(f'"{name}"' for name in names)
                with connection.cursor() as cursor:
                    with cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(row)
            else:
                model.objects.bulk_create([model(**dict(zip(names, row, strict=True))) for row in rows], 2000)
            written += len(rows)
            self.rows[model] = []
        return written

    # Idempotent loading -------------------------------------------------------------------------------------------

    def upsert(self, records: list[dict], parts: tuple[str, ...] = ALL_PARTS) -> tuple[int, int, int]:
        """Load typed records (run inside a transaction): returns (created, updated, unchanged).

        `parts` are the nested lists the records carry (CSV files: persons only): an existing dossier is compared
        and replaced on those only, its other lists are left as they are."""
        keep = {str(Dossier)} | {str(model) for key, model in CHILDREN if key in parts}
        keys = {(self.caf_id(r["caf"]), r["numero"]) for r in records}
        existing = {}
        for caf_id in {caf_id for caf_id, _ in keys}:
            numeros = [numero for c, numero in keys if c == caf_id]
            for dossier in Dossier.objects.filter(caf_id=caf_id, numero__in=numeros):
                existing[(caf_id, dossier.numero)] = dossier
        stored = stored_contents(list(existing.values()))
        created = updated = unchanged = 0
        replaced = []
        for record in records:
            dossier = existing.get((self.caf_id(record["caf"]), record["numero"]))
            if dossier is None:
                self.add(record)
                created += 1
            elif _only(stored[dossier.pk], keep) == _only(record_contents(record, self), keep):
                unchanged += 1
            else:
                for field in DATA_FIELDS[Dossier]:
                    setattr(dossier, field.attname, record.get(field.attname, COLUMNS_DEFAULT[field.attname]))
                dossier.save(update_fields=[f.attname for f in DATA_FIELDS[Dossier]])
                replaced.append(dossier.pk)
                self.add(record, dossier_id=dossier.pk)
                updated += 1
        if replaced:
            delete_children(replaced, parts)
        self.flush()
        return created, updated, unchanged


COLUMNS_DEFAULT = dict(COLUMNS[Dossier])


def _only(content: tuple, keep: set[str]) -> tuple:
    return tuple(item for item in content if item[0] in keep)


def delete_children(dossier_ids: list[int], parts: tuple[str, ...] = ALL_PARTS) -> None:
    """Delete the dossiers' nested lists named in `parts` (raw deletes: these rows have no signals and the loader
    re-creates them at once; persons take their own resources with them)."""
    if "payments" in parts:
        PaymentLine.objects.filter(payment__dossier_id__in=dossier_ids)._raw_delete("default")
    if "persons" in parts:
        Resource.objects.filter(dossier_id__in=dossier_ids, person__isnull=False)._raw_delete("default")
    for key, model in reversed(CHILDREN):
        if key in parts:
            model.objects.filter(dossier_id__in=dossier_ids)._raw_delete("default")


def _normal(value):
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, str) and value[:1].isdigit() and value.replace(".", "", 1).lstrip("-").isdigit():
        return Decimal(value).normalize()
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _content(model, values: dict) -> tuple:
    return tuple(
        _normal(values.get(f.attname, COLUMNS_DEFAULT_BY_MODEL[model][f.attname])) for f in DATA_FIELDS[model]
    )


COLUMNS_DEFAULT_BY_MODEL = {model: dict(COLUMNS[model]) for model in ORDER}


def _freeze(content: dict) -> tuple:
    return tuple(sorted((str(k), +v) for k, v in content.items() if +v))


def record_contents(record: dict, loader: DossierLoader) -> tuple:
    """What a record would store, ids left out: compared with `stored_contents` to skip unchanged dossiers."""
    content: dict = {Dossier: Counter([_content(Dossier, record)])}
    for key, model in CHILDREN:
        counter = content.setdefault(model, Counter())
        for position, item in enumerate(record.get(key) or ()):
            if model is Person:
                counter[_content(model, item)] += 1
                for resource in item.get("resources") or ():
                    content.setdefault(Resource, Counter())[_content(Resource, resource) + (position,)] += 1
            elif model is Payment:
                lines = tuple(sorted((_content(PaymentLine, line) for line in item.get("lines") or ()), key=repr))
                counter[_content(model, item) + (lines,)] += 1
            elif model is Resource:
                counter[_content(model, item) + (None,)] += 1
            elif model in SIRET_KEYS:
                siret = item.get(SIRET_KEYS[model][0])
                counter[_content(model, item) + (loader.organism_id(siret) if siret else None,)] += 1
            else:
                counter[_content(model, item)] += 1
    return _freeze(content)


def stored_contents(dossiers: list) -> dict[int, tuple]:
    """`record_contents` of dossiers already in the database, by dossier id (a few queries per batch)."""
    ids = [d.pk for d in dossiers]
    contents = {d.pk: {Dossier: Counter([_content(Dossier, d.__dict__)])} for d in dossiers}
    person_position = {}
    for model in ORDER:
        for d in dossiers:
            contents[d.pk].setdefault(model, Counter())
    for model in (Person, Right, RsaPeriod, Housing, Debt, Letter, HealthCoverage, ComplementaryData):
        for values in model.objects.filter(dossier_id__in=ids).order_by("dossier_id", "id").values():
            extra = ()
            if model in SIRET_KEYS:
                extra = (values[SIRET_KEYS[model][1]],)
            contents[values["dossier_id"]][model][_content(model, values) + extra] += 1
    for values in ProtectionMeasure.objects.filter(dossier_id__in=ids).values():
        contents[values["dossier_id"]][ProtectionMeasure][
            _content(ProtectionMeasure, values) + (values["organism_id"],)
        ] += 1
    positions: dict[int, int] = {}
    for dossier_id, person_id in (
        Person.objects.filter(dossier_id__in=ids).order_by("dossier_id", "id").values_list("dossier_id", "id")
    ):
        person_position[person_id] = positions.get(dossier_id, 0)
        positions[dossier_id] = positions.get(dossier_id, 0) + 1
    for values in Resource.objects.filter(dossier_id__in=ids).values():
        position = person_position.get(values["person_id"])
        contents[values["dossier_id"]][Resource][_content(Resource, values) + (position,)] += 1
    lines: dict[int, list] = {}
    for values in PaymentLine.objects.filter(payment__dossier_id__in=ids).values():
        lines.setdefault(values["payment_id"], []).append(_content(PaymentLine, values))
    for values in Payment.objects.filter(dossier_id__in=ids).values():
        key = _content(Payment, values) + (tuple(sorted(lines.get(values["id"], []), key=repr)),)
        contents[values["dossier_id"]][Payment][key] += 1
    return {pk: _freeze(content) for pk, content in contents.items()}
