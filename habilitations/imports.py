"""Bulk import of users and memberships from a CSV or XLSX file (administrators).

Two steps. "Vérifier" reads the file, checks every line against the database and shows what would change, writing
nothing; the lines read are kept server-side (cache) under a random token. "Appliquer" checks the lines again (the
data may have moved since) and applies them through the services in one transaction: every line or none. Applying
a token twice does nothing the second time (a claim in the cache), and re-importing a file already applied changes
nothing either (its users exist by e-mail, their memberships exist).

Guide 000 (« pour un profil T1, je dois m'assurer que les utilisateurs soient détenteurs d'un diplôme relevant de ce
profil »): a line adding a user to a group that gives a CDAP profile says « oui » in the column `qualification`, the
administrator's attestation for that user, as the box of « Ajouter au groupe » / « Créer un utilisateur »; without
it the line is rejected (the report names the column and the profiles). Applied, who and when are kept on the
membership, journaled and shown in « Historique de l'appartenance ».
"""

import csv
import datetime
import io
import logging
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower, Upper
from django.utils import timezone

from core.imports import ImportReport, RowError
from core.mail.queue import bulk_emails
from habilitations import services, support
from habilitations.accounts import EMAIL_IN_USE
from habilitations.models import Convention, GroupGrant, Membership, Organism, User, UserGroup
from habilitations.selectors import holds_its_email

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 5000
# A 5 MB zip may hide gigabytes: refuse before openpyxl reads it. 5 000 lines take ~3 MB once unzipped; the margin
# is for formatting (a styled but empty row costs reading time too, so the bound also bounds the work).
MAX_XLSX_UNCOMPRESSED = 25 * 1024 * 1024
PLAN_TIMEOUT = 3600  # a verified file waits an hour for "Appliquer"
RESULT_TIMEOUT = 24 * 3600

COLUMNS = ["nom", "prenom", "email", "telephone", "poste", "date_ouverture", "date_cloture", "groupe", "qualification"]
REQUIRED_COLUMNS = ["nom", "prenom", "email"]
# Headers as people write them in a spreadsheet, once normalised (lower case, no accents, "_" for the rest).
COLUMN_ALIASES = {
    "mail": "email",
    "e_mail": "email",
    "adresse_mail": "email",
    "adresse_electronique": "email",
    "courriel": "email",
    "tel": "telephone",
    "date_d_ouverture": "date_ouverture",
    "date_de_cloture": "date_cloture",
    "code_groupe": "groupe",
    "groupe_d_habilitation": "groupe",
    "qualification_requise": "qualification",
    "qualification_attestee": "qualification",
}
YES, NO = ("oui", "o", "x", "1", "vrai"), ("", "non", "n", "0", "faux")
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"]
PHONE_RE = re.compile(r"^[0-9 .+()-]*$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

TEMPLATE_EXAMPLE = {
    "nom": "LAGARE",
    "prenom": "Xavier",
    "email": "x.lagare@partenaire.fr",
    "telephone": "07 00 02 00 00",
    "poste": "Sédentaire",
    "date_ouverture": "25/08/2026",
    "date_cloture": "",
    "groupe": "T1",
    "qualification": "oui",
}


class ImportFileError(Exception):
    """The file as a whole cannot be read: the French message says why."""


# --- Reading ------------------------------------------------------------------------------------------------


def _normalise_header(value: str) -> str:
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return COLUMN_ALIASES.get(text, text)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(content: bytes):
    if b"\x00" in content:
        raise ImportFileError("Le fichier n'est ni un fichier CSV ni un classeur XLSX lisible.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "Le fichier CSV doit être encodé en UTF-8 (dans votre tableur : « Enregistrer sous » puis « CSV UTF-8 »)."
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield [cell.strip() for cell in row]


def _xlsx_rows(content: bytes):
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
                raise ImportFileError("Le classeur est trop volumineux une fois décompressé.")
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception:  # a corrupt archive can fail in many ways inside zipfile, lxml or openpyxl
        logger.info("Unreadable XLSX upload", exc_info=True)
        raise ImportFileError(
            "Le classeur XLSX n'a pas pu être lu : enregistrez-le à nouveau ou utilisez un CSV."
        ) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError("Le classeur ne contient aucune feuille.")
        for row in workbook.worksheets[0].iter_rows(values_only=True, max_col=len(COLUMNS) + 20):
            yield [_cell_text(value) for value in row]
    finally:
        workbook.close()


@dataclass
class Record:
    """One line of the file as read: the cells by column, as text."""

    number: int
    values: dict[str, str]
    extra_cells: bool = False


def read_records(filename: str, content: bytes) -> list[Record]:
    """Read the file into records (line 1 is the header). Raises ImportFileError with a French message."""
    if len(content) > MAX_BYTES:
        raise ImportFileError("Le fichier dépasse 5 Mo : découpez-le en plusieurs fichiers.")
    if not content.strip():
        raise ImportFileError("Le fichier est vide.")
    is_xlsx = content[:4] == b"PK\x03\x04"
    if filename.lower().endswith((".xlsx", ".xlsm")) and not is_xlsx:
        raise ImportFileError("Ce fichier n'est pas un classeur XLSX valide.")
    if filename.lower().endswith(".xls") and not is_xlsx:
        raise ImportFileError("Le format XLS n'est pas pris en charge : enregistrez le classeur en XLSX ou en CSV.")
    rows = _xlsx_rows(content) if is_xlsx else _csv_rows(content)
    header: list[str] | None = None
    records: list[Record] = []
    try:
        for number, row in enumerate(rows, start=1):
            if not any(row):
                continue
            if header is None:
                header = _header(row)
                continue
            if len(records) >= MAX_LINES:
                raise ImportFileError(f"Le fichier dépasse {MAX_LINES} lignes : découpez-le en plusieurs fichiers.")
            values = {name: (row[i] if i < len(row) else "") for i, name in enumerate(header) if name}
            records.append(Record(number, values, extra_cells=any(row[len(header) :])))
    except csv.Error as error:
        raise ImportFileError(f"Le fichier CSV est mal formé ({error}).") from None
    if header is None:
        raise ImportFileError("Le fichier est vide.")
    if not records:
        raise ImportFileError("Le fichier ne contient aucune ligne après l'en-tête.")
    return records


def _header(row: list[str]) -> list[str]:
    names = [_normalise_header(cell) if cell else "" for cell in row]
    unknown = [cell for cell, name in zip(row, names, strict=True) if cell and name not in COLUMNS]
    if unknown:
        raise ImportFileError(
            f"Colonne inconnue : {', '.join(unknown)}. Colonnes attendues : {', '.join(COLUMNS)} (première ligne)."
        )
    doubled = sorted({name for name in names if name and names.count(name) > 1})
    if doubled:
        raise ImportFileError(f"Colonne en double : {', '.join(doubled)}.")
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ImportFileError(f"Colonne obligatoire absente : {', '.join(missing)} (première ligne).")
    return names


# --- Checking: the plan -------------------------------------------------------------------------------------

CREATE = "create"
MEMBERSHIP = "membership"
UNCHANGED = "unchanged"
REJECTED = "rejected"
ACTION_LABELS = {
    CREATE: "Création de l'utilisateur",
    MEMBERSHIP: "Ajout au groupe",
    UNCHANGED: "Sans changement",
    REJECTED: "Rejetée",
}
# The columns of the file shown for each line of the report (the identifiant found, in its spreadsheet only).
REPORT_COLUMNS = [("nom", "Nom"), ("prenom", "Prénom"), ("email", "Adresse mail"), ("groupe", "Groupe")]
REPORT_EXPORT_COLUMNS = [("identifiant", "Identifiant")]


@dataclass
class Line:
    number: int
    nom: str = ""
    prenom: str = ""
    email: str = ""
    telephone: str = ""
    poste: str = User.Poste.SEDENTAIRE
    date_ouverture: datetime.date | None = None
    date_cloture: datetime.date | None = None
    group_code: str = ""
    action: str = ""
    errors: list[RowError | str] = field(default_factory=list)  # a text: a reason about the whole line
    note: str = ""
    group: UserGroup | None = None
    user: User | None = None  # the existing user (membership only)
    creator_line: int | None = None  # a membership of the user created by that earlier line
    membership_ouverture: datetime.date | None = None
    qualification: bool = False  # « oui » in the column: the importer attests the user's qualification
    profiles: list[str] = field(default_factory=list)  # the CDAP profiles the membership gives: attested

    @property
    def qualification_note(self) -> str:
        if not self.profiles:
            return ""
        return f"Qualification requise pour le profil {support.qualification_label(self.profiles)} attestée."

    @property
    def email_key(self) -> str:
        return self.email.lower()

    @property
    def outcome_label(self) -> str:
        if self.action == CREATE:
            return "Création de l'utilisateur et ajout au groupe" if self.group_code else "Création de l'utilisateur"
        return ACTION_LABELS.get(self.action, self.action)


@dataclass
class Plan:
    lines: list[Line]

    def count(self, action: str) -> int:
        return sum(line.action == action for line in self.lines)

    @property
    def rejected(self) -> list[Line]:
        return [line for line in self.lines if line.action == REJECTED]

    def report(self) -> ImportReport:
        """Each line accepted or rejected, with the column and the reason of each rejection."""
        report = ImportReport(REPORT_COLUMNS, export_columns=REPORT_EXPORT_COLUMNS)
        for line in self.lines:
            report.add(
                line.number,
                {
                    "nom": line.nom,
                    "prenom": line.prenom,
                    "email": line.email,
                    "groupe": line.group_code,
                    "identifiant": line.user.identifiant if line.user else "",
                },
                line.action,
                line.outcome_label,
                errors=[error if isinstance(error, RowError) else RowError("", error) for error in line.errors],
                notes=[line.note, line.qualification_note],
            )
        return report

    def summary(self) -> dict:
        return {
            "users": self.count(CREATE),
            "memberships": sum(
                line.action == MEMBERSHIP or (line.action == CREATE and line.group is not None) for line in self.lines
            ),
            "unchanged": self.count(UNCHANGED),
            "rejected": self.count(REJECTED),
            # The lines whose « oui » in `qualification` "Appliquer" will record as the importer's attestation.
            "attested": [line.number for line in self.lines if line.profiles and line.action != REJECTED],
            "report": self.report().as_dict(),
        }


def _parse_date(text: str, column: str, label: str, errors: list) -> datetime.date | None:
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    errors.append(RowError(column, f"{label} invalide « {text} » : attendu JJ/MM/AAAA."))
    return None


def _parse_poste(text: str, errors: list) -> str:
    key = _normalise_header(text)
    if key in ("", "sedentaire", "s"):
        return User.Poste.SEDENTAIRE
    if key in ("itinerant", "i"):
        return User.Poste.ITINERANT
    errors.append(RowError("poste", f"Poste inconnu « {text} » : Sédentaire ou Itinérant."))
    return User.Poste.SEDENTAIRE


def _parse_qualification(text: str, errors: list) -> bool:
    key = _normalise_header(text)
    if key in YES or key in NO:
        return key in YES
    errors.append(RowError("qualification", f"Qualification « {text} » : « oui » ou « non » (ou vide)."))
    return False


def _text(values: dict, name: str, label: str, max_length: int, errors: list, *, required: bool) -> str:
    value = values.get(name, "")
    if any(ord(ch) < 32 for ch in value):
        errors.append(RowError(name, f"{label} : caractère non autorisé."))
        return ""
    if required and not value:
        errors.append(RowError(name, f"{label} manquant."))
    elif len(value) > max_length:
        errors.append(RowError(name, f"{label} trop long ({max_length} caractères au plus)."))
    return value


def _parse(record: Record) -> Line:
    errors: list[RowError] = []
    values = record.values
    line = Line(number=record.number)
    line.nom = _text(values, "nom", "Nom", 100, errors, required=True)
    line.prenom = _text(values, "prenom", "Prénom", 100, errors, required=True)
    line.email = _text(values, "email", "Adresse mail", 320, errors, required=True)
    if line.email and not any(error.column == "email" for error in errors):
        try:
            validate_email(line.email)
        except ValidationError:
            errors.append(RowError("email", f"Adresse mail invalide « {line.email} »."))
    line.telephone = _text(values, "telephone", "Téléphone", 20, errors, required=False)
    if line.telephone and not PHONE_RE.match(line.telephone):
        errors.append(
            RowError(
                "telephone", f"Téléphone invalide « {line.telephone} » : chiffres, espaces, points ou + uniquement."
            )
        )
    line.poste = _parse_poste(values.get("poste", ""), errors)
    line.date_ouverture = _parse_date(values.get("date_ouverture", ""), "date_ouverture", "Date d'ouverture", errors)
    line.date_cloture = _parse_date(values.get("date_cloture", ""), "date_cloture", "Date de clôture", errors)
    if line.date_ouverture and line.date_cloture and line.date_cloture < line.date_ouverture:
        errors.append(
            RowError("date_cloture", "La date de clôture doit être postérieure ou égale à la date d'ouverture.")
        )
    line.group_code = _text(values, "groupe", "Groupe", 20, errors, required=False).upper()
    line.qualification = _parse_qualification(values.get("qualification", ""), errors)
    if record.extra_cells:
        errors.append(RowError("", "La ligne a plus de cellules que l'en-tête n'a de colonnes."))
    line.errors = errors
    return line


def _period_problem(
    m_open: datetime.date,
    m_close: datetime.date | None,
    group: UserGroup,
    user_open: datetime.date,
    user_close: datetime.date | None,
) -> str | None:
    """The membership rules of `services._check_membership`, checked without writing (same messages)."""
    if m_close is not None and m_close < m_open:
        return "La date de clôture doit être postérieure ou égale à la date d'ouverture."
    if m_open < group.date_ouverture or (
        group.date_cloture is not None and (m_close is None or m_close > group.date_cloture)
    ):
        return "Les dates de l'appartenance doivent être comprises dans celles du groupe."
    if m_open < user_open or (user_close is not None and (m_close is None or m_close > user_close)):
        return "Les dates de l'appartenance doivent être comprises dans celles de l'utilisateur."
    return None


def _default_close(line_close, user_close, group: UserGroup):
    if line_close is not None:
        return line_close
    planned = [d for d in (user_close, group.date_cloture) if d is not None]
    return min(planned) if planned else None


def _overlaps(periods, start: datetime.date, end: datetime.date | None) -> bool:
    return any((end is None or o < end) and (c is None or c > start) for o, c in periods)


def plan_build(records: list[Record], convention: Convention, *, actor: User) -> Plan:
    """Check every line against the database, in a constant number of queries; write nothing. `actor` imports:
    a line that would give them a membership passes only if they administer the organism (the services' rule,
    one more query for each such line)."""
    today = timezone.localdate()
    lines = [_parse(record) for record in records]

    groups_by_code: dict[str, list[UserGroup]] = {}
    groups = list(
        UserGroup.objects.filter(convention=convention)
        .select_related("convention__organism")
        .order_by("date_ouverture")
    )
    for group in groups:
        if group.date_cloture is None or group.date_cloture > today:
            groups_by_code.setdefault(group.code.upper(), []).append(group)
    cdap_profiles = _cdap_profiles(convention, groups) if any(line.group_code for line in lines) else None

    emails = {line.email_key for line in lines if line.email}
    existing: dict[str, list[User]] = {}
    # Guide 001, a personal address: one that an open account of another organism has makes no new account here.
    taken_elsewhere: set[str] = set()
    for user in (
        User.objects.annotate(email_key=Lower("email"), email_upper=Upper("email")).filter(
            email_upper__in=[email.upper() for email in emails]  # the UPPER(email) index
        )
        if emails
        else []
    ):
        if user.organism_id == convention.organism_id:
            existing.setdefault(user.email_key, []).append(user)
        elif holds_its_email(user, today):
            taken_elsewhere.add(user.email_key)
    periods: dict[tuple[int, int], list] = {}
    for user_id, group_id, o, c in Membership.objects.filter(
        user_id__in=[u.pk for users in existing.values() for u in users], group__convention=convention
    ).values_list("user_id", "group_id", "date_ouverture", "date_cloture"):
        periods.setdefault((user_id, group_id), []).append((o, c))

    seen: dict[tuple[str, str], int] = {}
    creators: dict[str, Line] = {}
    for line in lines:
        if line.errors:
            continue
        if line.group_code:
            candidates = groups_by_code.get(line.group_code)
            if not candidates:
                line.errors.append(RowError("groupe", f"Groupe inconnu ou clôturé « {line.group_code} »."))
                continue
            day = line.date_ouverture or today
            line.group = next((g for g in candidates if g.is_open_on(day)), candidates[0])
        key = (line.email_key, line.group_code)
        if key in seen:
            line.errors.append(f"Ligne en double de la ligne {seen[key]}.")
            continue
        seen[key] = line.number
        users = existing.get(line.email_key, [])
        if len(users) > 1:
            line.errors.append(f"Plusieurs utilisateurs de l'organisme ont l'adresse mail « {line.email} ».")
        elif users:
            _plan_existing_user(line, users[0], periods, today)
        elif line.email_key in taken_elsewhere:
            line.errors.append(f"Adresse mail « {line.email} » : {EMAIL_IN_USE[0].lower()}{EMAIL_IN_USE[1:]}")
        elif line.email_key in creators:
            _plan_same_file_user(line, creators[line.email_key], today)
        else:
            creators[line.email_key] = line
            _plan_new_user(line, today)
        if line.group is not None and line.action in (CREATE, MEMBERSHIP):
            _refuse_self_grant(line, actor, convention)
            _check_qualification(line, cdap_profiles, today)
    for line in lines:
        if line.errors:
            line.action = REJECTED
    return Plan(lines)


def _cdap_profiles(convention: Convention, groups: list[UserGroup]):
    """`profiles(group, day)`: the CDAP profiles a member of `group` holds through it on `day`, its ancestors'
    included — `support.group_cdap_profiles` for every group of the convention, in one query."""
    grants: dict[int, list[tuple[str, datetime.date, datetime.date | None]]] = {}
    for group_id, code, opened, closed in GroupGrant.objects.filter(
        group__convention=convention, convention_profile__profile__service__code="CDAP"
    ).values_list("group_id", "convention_profile__profile__code", "date_ouverture", "date_cloture"):
        grants.setdefault(group_id, []).append((code, opened, closed))
    parents = {group.pk: group.parent_id for group in groups}

    def profiles(group: UserGroup, day: datetime.date) -> list[str]:
        codes, seen, current = set(), set(), group.pk
        while current is not None and current not in seen:
            seen.add(current)
            codes.update(code for code, o, c in grants.get(current, []) if o <= day and (c is None or c > day))
            current = parents.get(current)
        return sorted(codes)

    return profiles


def _check_qualification(line: Line, cdap_profiles, today) -> None:
    """A membership giving a CDAP profile needs the importer's attestation (« oui » in `qualification`)."""
    day = line.membership_ouverture or max(line.date_ouverture or today, line.group.date_ouverture)
    profiles = cdap_profiles(line.group, day)
    if profiles and not line.qualification:
        label = support.qualification_label(profiles)
        line.errors.append(
            RowError(
                "qualification",
                f"{support.QUALIFICATION_REQUIRED.format(profils=label)[:-1]} : « oui » dans la colonne "
                "qualification.",
            )
        )
    line.profiles = profiles


def _refuse_self_grant(line: Line, actor: User, convention: Convention) -> None:
    """The services' rule on giving oneself a membership, for the account the line adds (or would create)."""
    try:
        services.membership_self_grant(
            actor=actor, user=line.user or User(email=line.email), organism_id=convention.organism_id
        )
    except ValidationError as error:
        line.errors.extend(error.messages)


def _plan_existing_user(line: Line, user: User, periods, today) -> None:
    line.user = user
    if not user.is_active or (user.date_cloture is not None and user.date_cloture <= today):
        line.errors.append(
            RowError("email", f"L'utilisateur {user.identifiant} qui a cette adresse mail est clôturé.")
        )
        return
    if line.group is None:
        line.action = UNCHANGED
        line.note = f"Utilisateur existant ({user.identifiant}) : aucun groupe demandé, rien à faire."
        return
    m_open = max(line.date_ouverture or today, line.group.date_ouverture)
    m_close = _default_close(line.date_cloture, user.date_cloture, line.group)
    if _overlaps(periods.get((user.pk, line.group.pk), []), m_open, m_close):
        line.action = UNCHANGED
        line.note = f"Utilisateur existant ({user.identifiant}) : déjà membre du groupe."
        return
    problem = _period_problem(m_open, m_close, line.group, user.date_ouverture, user.date_cloture)
    if problem:
        line.errors.append(problem)
        return
    line.membership_ouverture = m_open
    line.action = MEMBERSHIP
    line.note = f"Utilisateur existant ({user.identifiant}) : ajout au groupe seulement."


def _plan_same_file_user(line: Line, creator: Line, today) -> None:
    if creator.errors:
        line.errors.append(f"La ligne {creator.number}, qui crée cet utilisateur, est en erreur.")
        return
    if (line.nom.casefold(), line.prenom.casefold()) != (creator.nom.casefold(), creator.prenom.casefold()):
        line.errors.append(f"Même adresse mail que la ligne {creator.number}, mais un autre nom ou prénom.")
        return
    line.creator_line = creator.number
    if line.group is None:
        line.action = UNCHANGED
        line.note = f"Utilisateur créé par la ligne {creator.number}."
        return
    user_open = creator.date_ouverture or today
    m_open = max(line.date_ouverture or today, line.group.date_ouverture)
    m_close = _default_close(line.date_cloture, creator.date_cloture, line.group)
    problem = _period_problem(m_open, m_close, line.group, user_open, creator.date_cloture)
    if problem:
        line.errors.append(problem)
        return
    line.membership_ouverture = m_open
    line.action = MEMBERSHIP
    line.note = f"Utilisateur créé par la ligne {creator.number} : ajout au groupe."


def _plan_new_user(line: Line, today) -> None:
    user_open = line.date_ouverture or today
    if line.group is not None:
        # As partner_user_create does: the membership starts with the user, or with the group if later.
        m_open = max(user_open, line.group.date_ouverture)
        problem = _period_problem(
            m_open, _default_close(None, line.date_cloture, line.group), line.group, user_open, line.date_cloture
        )
        if problem:
            line.errors.append(problem)
            return
    line.action = CREATE


# --- Applying -----------------------------------------------------------------------------------------------


class ImportRejected(Exception):
    """The lines no longer pass the checks (the data moved since "Vérifier"): nothing was written."""

    def __init__(self, plan: Plan):
        super().__init__("rejected")
        self.plan = plan


@bulk_emails()  # up to 10 000 e-mails (identifiants, provisional passwords): the bulk queue
@transaction.atomic
def plan_apply(records: list[Record], *, convention: Convention, actor: User) -> dict:
    """Check the lines again and apply them all, or none: a refused line rolls the whole import back."""
    Organism.objects.select_for_update().get(pk=convention.organism_id)  # one import at a time per organism
    plan = plan_build(records, convention, actor=actor)
    if plan.rejected:
        raise ImportRejected(plan)
    created: dict[str, User] = {}
    report = {"users": [], "memberships": [], "unchanged": plan.count(UNCHANGED)}
    for line in plan.lines:
        try:
            if line.action == CREATE:
                user = services.partner_user_create(
                    organism=convention.organism,
                    nom=line.nom,
                    prenom=line.prenom,
                    email=line.email,
                    telephone=line.telephone,
                    poste=line.poste,
                    date_ouverture=line.date_ouverture,
                    date_cloture=line.date_cloture,
                    group=line.group,
                    actor=actor,
                )
                created[line.email_key] = user
                if line.profiles:
                    support.membership_qualification_attest(
                        Membership.objects.get(user=user, group=line.group), line.profiles, actor=actor
                    )
                report["users"].append(
                    {
                        "number": line.number,
                        "identifiant": user.identifiant,
                        "nom": user.nom,
                        "prenom": user.prenom,
                        "email": user.email,
                        "groupe": line.group_code,
                    }
                )
                if line.group is not None:
                    report["memberships"].append(
                        {"number": line.number, "identifiant": user.identifiant, "groupe": line.group_code}
                    )
            elif line.action == MEMBERSHIP:
                user = line.user or created[line.email_key]
                membership = services.membership_add(
                    user=user,
                    group=line.group,
                    date_ouverture=line.membership_ouverture,
                    date_cloture=line.date_cloture,
                    actor=actor,
                )
                if line.profiles:
                    support.membership_qualification_attest(membership, line.profiles, actor=actor)
                report["memberships"].append(
                    {"number": line.number, "identifiant": user.identifiant, "groupe": line.group_code}
                )
        except ValidationError as error:
            line.action, line.errors = REJECTED, error.messages
            raise ImportRejected(plan) from error
    return report


# --- The verified plan, server-side, under a token ----------------------------------------------------------

VERIFIED = "verified"
RUNNING = "running"
APPLIED = "applied"
FAILED = "failed"


# The shape of a stored import; bump it whenever the state changes shape (0 before it was kept: the "report" of
# ea76dd3). A token stored by another version of the code (verified before a deploy) reads as expired — « déposez-le
# à nouveau » — rather than half-understood (a KeyError, a 500) or applied from lines read by other rules.
STATE_VERSION = 3  # 3: the column qualification (issue 21.18), checked at "Appliquer" from then on


def _key(token: str) -> str:
    return f"habilitations:import:{token}"


def plan_store(*, convention: Convention, actor: User, filename: str, records: list[Record], plan: Plan) -> str:
    token = secrets.token_urlsafe(24)
    state = {
        "version": STATE_VERSION,
        "convention_id": convention.pk,
        "actor_id": actor.pk,
        "filename": filename,
        "records": [(r.number, r.values, r.extra_cells) for r in records],
        "status": VERIFIED,
        "summary": plan.summary(),
        "verified_at": timezone.now().isoformat(),
    }
    cache.set(_key(token), state, PLAN_TIMEOUT)
    return token


def plan_load(token: str, *, convention: Convention, actor: User) -> dict | None:
    """The state of the import `token`, if it is this administrator's for this convention (else None: 404)."""
    if not TOKEN_RE.match(token or ""):
        return None
    state = cache.get(_key(token))
    if not _current(state) or state["convention_id"] != convention.pk or state["actor_id"] != actor.pk:
        return None
    return state


def _current(state) -> bool:
    return isinstance(state, dict) and state.get("version") == STATE_VERSION


def apply_claim(token: str, state: dict) -> bool:
    """Only the first "Appliquer" of a token wins (atomic in Redis); the others change nothing."""
    if state["status"] != VERIFIED or state["summary"]["rejected"]:
        return False
    if not cache.add(f"{_key(token)}:claim", 1, RESULT_TIMEOUT):
        return False
    state["status"] = RUNNING
    cache.set(_key(token), state, RESULT_TIMEOUT)
    return True


def apply_run(token: str) -> str:
    """Apply a claimed import (the Celery task's body) and record the outcome under the token."""
    state = cache.get(_key(token))
    if not _current(state):
        return "expired"
    if state["status"] != RUNNING:
        return state["status"]
    records = [Record(number, values, extra) for number, values, extra in state["records"]]
    try:
        convention = Convention.objects.select_related("organism__partner_type", "organism__caf_pivot").get(
            pk=state["convention_id"]
        )
        report = plan_apply(records, convention=convention, actor=User.objects.get(pk=state["actor_id"]))
    except ImportRejected as rejected:
        state.update(status=FAILED, summary=rejected.plan.summary())
    except Exception:
        state.update(status=FAILED, error="Une erreur inattendue a interrompu l'import : rien n'a été enregistré.")
        cache.set(_key(token), state, RESULT_TIMEOUT)
        raise
    else:
        state.update(status=APPLIED, report=report, applied_at=timezone.now().isoformat())
    state["records"] = None
    cache.set(_key(token), state, RESULT_TIMEOUT)
    return state["status"]


# --- The template file offered on the page ------------------------------------------------------------------


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([TEMPLATE_EXAMPLE[name] for name in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes spreadsheets read UTF-8


def template_xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Utilisateurs"
    sheet.append(COLUMNS)
    sheet.append([TEMPLATE_EXAMPLE[name] for name in COLUMNS])
    for column in sheet.iter_cols(min_row=1, max_row=200):
        for cell in column:
            cell.number_format = "@"  # text: keeps the leading 0 of phone numbers and the dates as typed
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
