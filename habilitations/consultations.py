"""How the journal's Consulter Dossier rows read, in French: shared by the partners' "SUPERVISION CONSULTER DOSSIER"
(cdap.supervision, which scopes them to the supervisor's organisms) and the Caf agents' admin (scoped to their Caf).

The consultation screens write the rows (habilitations.journal.Event.CDAP_*, data keys profile, caf, dossier, rubric,
outcome, reason, mode); this module only reads them. It lives beside the journal because the admin
(habilitations) may not import a service app.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from core.exports import DATETIME, Column, Export
from habilitations.access.rubrics import RUBRIC_LABELS
from habilitations.journal import Event, JournalEntry

CONSULTATION_EVENTS = [
    Event.CDAP_SEARCH,
    Event.CDAP_RUBRIC,
    Event.CDAP_RUBRIC_REFUSED,
    Event.CDAP_ATTESTATION,
    Event.CDAP_DIALOGUE,
]
# The refusal codes written by the consultation screens (cdap.selectors.REASON_*); an unknown code is shown as is.
REASON_LABELS = {
    "dossier_inconnu": "dossier inconnu",
    "nom_different": "nom ne correspondant pas au dossier",
    "instructeur_incoherent": "numéro d'instructeur non cohérent avec le dossier",
    "sans_mesure_de_protection": "aucune mesure de protection de l'organisme sur le dossier",
    "bailleur_incoherent": "numéro de bailleur non cohérent avec le dossier",
    "sans_rsa_2_ans": "pas de RSA dans les deux dernières années",
    "saisie_invalide": "saisie invalide",
    "rubric_closed": "rubrique fermée pour le profil",
    "dialogue_limite": "trop de messages Dialogue en une heure",  # cdap.services.REASON_DIALOGUE_LIMITED
}
EVENT_LABELS = {
    Event.CDAP_SEARCH: "Recherche",
    Event.CDAP_RUBRIC: "Rubrique",
    Event.CDAP_RUBRIC_REFUSED: "Rubrique",
    Event.CDAP_ATTESTATION: "Attestation",
    Event.CDAP_DIALOGUE: "Dialogue",
}


def consultations() -> QuerySet[JournalEntry]:
    """Every Consulter Dossier row of the journal, newest first, with what the list shows (no query per row)."""
    return (
        JournalEntry.objects.filter(event__in=CONSULTATION_EVENTS)
        .select_related("user", "organism")
        .order_by("-at", "-id")
    )


def consultations_of_caf(agent) -> QuerySet[JournalEntry]:
    """The Caf agents' view: consultations made by the organisms whose Caf pivot is the agent's; all for a
    national agent (superuser); none for an agent without a Caf."""
    queryset = consultations()
    if agent.is_superuser:
        return queryset
    if not agent.caf_id:
        return queryset.none()
    return queryset.filter(organism__caf_pivot_id=agent.caf_id)


def refusals_q() -> Q:
    return Q(event=Event.CDAP_RUBRIC_REFUSED) | Q(data__outcome="refused")


def is_refusal(entry: JournalEntry) -> bool:
    return entry.event == Event.CDAP_RUBRIC_REFUSED or (entry.data or {}).get("outcome") == "refused"


def outcome_label(entry: JournalEntry) -> str:
    """ "Refusé : <motif>", "Trouvé" (a search), "Ouverte" (a rubric), "Téléchargée" / "Courrier demandé" (an
    attestation) or "Envoyé" (a Dialogue message), in French."""
    data = entry.data or {}
    if is_refusal(entry):
        reason = data.get("reason") or ("rubric_closed" if entry.event == Event.CDAP_RUBRIC_REFUSED else "")
        return f"Refusé : {reason_label(reason)}" if reason else "Refusé"
    if entry.event == Event.CDAP_SEARCH:
        return "Trouvé"
    if entry.event == Event.CDAP_RUBRIC:
        return "Ouverte"
    if entry.event == Event.CDAP_ATTESTATION:
        return "Courrier demandé" if data.get("mode") == "courrier" else "Téléchargée"
    return "Enregistré (Caf sans adresse de contact)" if data.get("outcome") == "stored" else "Envoyé"


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code) or f"motif {code}"


def rubric_label(entry: JournalEntry) -> str:
    data = entry.data or {}
    rubric = data.get("rubric") or ""
    if rubric:
        return RUBRIC_LABELS.get(rubric, rubric)
    if entry.event == Event.CDAP_ATTESTATION:
        return RUBRIC_LABELS["attestation_paiement"]
    return EVENT_LABELS.get(entry.event, "")


@dataclass(frozen=True)
class ConsultationRow:
    """One line of the list and of the export, computed from the journal row without a query."""

    at: datetime.datetime
    identifiant: str
    nom: str
    profile: str
    caf: str
    dossier: str
    action: str
    rubric: str
    outcome: str
    ip: str
    organisme: str = ""


def row_of(entry: JournalEntry) -> ConsultationRow:
    data = entry.data or {}
    user = entry.user
    return ConsultationRow(
        at=entry.at,
        identifiant=user.identifiant if user else "",
        nom=f"{user.nom.upper()} {user.prenom}" if user else "",
        profile=str(data.get("profile") or ""),
        caf=str(data.get("caf") or ""),
        dossier=str(data.get("dossier") or ""),
        action=EVENT_LABELS.get(entry.event, entry.event),
        rubric=rubric_label(entry),
        outcome=outcome_label(entry),
        ip=entry.ip or "",
        organisme=entry.organism.nom if entry.organism else "",
    )


EXPORT = Export(
    (
        Column("Date et heure", "at", DATETIME),
        Column("Identifiant", "identifiant"),
        Column("Utilisateur", "nom"),
        Column("Profil", "profile"),
        Column("Caf", "caf"),
        Column("Numéro allocataire", "dossier"),
        Column("Action", "action"),
        Column("Rubrique", "rubric"),
        Column("Résultat", "outcome"),
        Column("Adresse IP", "ip"),
    ),
    sheet_title="Consultations",
    prepare=row_of,
)
# The Caf agents' export also names the organism, after the user.
AGENTS_EXPORT = EXPORT.with_columns([*EXPORT.columns[:3], Column("Organisme", "organisme"), *EXPORT.columns[3:]])
