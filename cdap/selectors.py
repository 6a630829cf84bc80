"""Reads of Consulter Dossier. THE mask is applied here, once: `dossier_view` builds only the rubrics the
consultation's profile opens (habilitations.access.rubrics), so no template or PDF can show a closed rubric's data.
"""

import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from cdap.models import (
    ComplementaryData,
    Consultation,
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
from habilitations.access.rubrics import RUBRIC_LABELS, TAB_ORDER, may_see, rubrics_for, tabs_for

# A consultation reference lives as long as an idle session: after that, search again.
CONSULTATION_TTL = datetime.timedelta(minutes=30)
# T18 / T19: RSA received now or within the last two years.
RSA_LOOKBACK_DAYS = 730
PAYMENTS_PER_PAGE = 12

REFUSAL_MESSAGE = "Aucun dossier ne correspond à votre saisie ou vous n'êtes pas habilité à le consulter."
# Reason codes written in the journal (never shown: the user always sees REFUSAL_MESSAGE).
REASON_NOT_FOUND = "dossier_inconnu"
REASON_NAME = "nom_different"
REASON_INSTRUCTEUR = "instructeur_incoherent"
REASON_TUTELLE = "sans_mesure_de_protection"
REASON_BAILLEUR = "bailleur_incoherent"
REASON_RSA = "sans_rsa_2_ans"
REASON_FORM = "saisie_invalide"


@dataclass(frozen=True)
class SearchCriteria:
    caf_id: int
    nom: str
    numero: str
    profile_code: str
    controle: str  # the profile's controle_supplementaire: "", "instructeur", "tutelle", "bailleur", "rsa_2_ans"
    organism_id: int
    numero_instructeur: str = ""
    numero_bailleur: str = ""


def dossier_search(criteria: SearchCriteria, *, today: datetime.date | None = None) -> tuple[Dossier | None, str]:
    """The dossier of (Caf, numéro) whose responsable or conjoint bears the name, if every control of the profile
    holds; else (None, reason code). A constant number of queries (at most three)."""
    today = today or timezone.localdate()
    dossier = Dossier.objects.select_related("caf").filter(caf_id=criteria.caf_id, numero=criteria.numero).first()
    if dossier is None:
        return None, REASON_NOT_FOUND
    name = normalize_name(criteria.nom)
    if not Person.objects.filter(
        dossier=dossier, role__in=[Person.Role.RESPONSABLE, Person.Role.CONJOINT], nom_recherche=name
    ).exists():
        return None, REASON_NAME
    check = CONTROLS.get(criteria.controle)
    if check is not None and not check(dossier, criteria, today):
        return None, CONTROL_REASONS[criteria.controle]
    return dossier, ""


def _instructeur(dossier, criteria, today) -> bool:
    """T4: the dossier's RSA file was instructed by that numéro d'instructeur."""
    return (
        bool(criteria.numero_instructeur)
        and RsaPeriod.objects.filter(dossier=dossier, numero_instructeur=criteria.numero_instructeur).exists()
    )


def _tutelle(dossier, criteria, today) -> bool:
    """T9: the user's organism holds or has held a protection measure on the dossier."""
    return ProtectionMeasure.objects.filter(
        dossier=dossier, organism_id=criteria.organism_id, date_debut__lte=today
    ).exists()


def _bailleur(dossier, criteria, today) -> bool:
    """T10: the current housing has that landlord, and that landlord is the user's organism."""
    return (
        bool(criteria.numero_bailleur)
        and Housing.objects.filter(
            dossier=dossier,
            actuel=True,
            numero_bailleur=criteria.numero_bailleur,
            bailleur_organism_id=criteria.organism_id,
        ).exists()
    )


def _rsa_two_years(dossier, criteria, today) -> bool:
    """T18 / T19: RSA received now, or a period that ended within the last two years."""
    since = today - datetime.timedelta(days=RSA_LOOKBACK_DAYS)
    return (
        RsaPeriod.objects.filter(dossier=dossier, date_debut__lte=today)
        .filter(Q(date_fin__isnull=True) | Q(date_fin__gte=since))
        .exists()
    )


CONTROLS = {"instructeur": _instructeur, "tutelle": _tutelle, "bailleur": _bailleur, "rsa_2_ans": _rsa_two_years}
CONTROL_REASONS = {
    "instructeur": REASON_INSTRUCTEUR,
    "tutelle": REASON_TUTELLE,
    "bailleur": REASON_BAILLEUR,
    "rsa_2_ans": REASON_RSA,
}


def consultation_for(request, reference) -> Consultation:
    """The request user's own, recent consultation whose profile the user still holds today; 404 otherwise (same
    answer for "unknown", "another user's" and "expired")."""
    since = timezone.now() - CONSULTATION_TTL
    consultation = (
        Consultation.objects.select_related("dossier__caf", "organism", "user")
        .filter(reference=reference, user_id=request.user.pk, created_at__gte=since)
        .first()
    )
    if consultation is None or consultation.profile_code not in request.access.profiles("CDAP"):
        raise Http404("Consultation inconnue")
    return consultation


# ---- the dossier view-model -------------------------------------------------------------------------------------


def _identity(dossier) -> dict:
    """Identity, address, composition, QF: the synthèse's part that every profile sees."""
    adults = list(
        Person.objects.filter(dossier=dossier, role__in=[Person.Role.RESPONSABLE, Person.Role.CONJOINT])
        .only("role", "civilite", "nom", "prenom", "date_naissance")
        .order_by("role")
    )
    return {
        "numero": dossier.numero,
        "caf": dossier.caf.nom,
        "adultes": sorted(adults, key=lambda p: p.role != Person.Role.RESPONSABLE),
        "adresse": dossier.adresse,
        "code_postal": dossier.code_postal,
        "commune": dossier.commune,
        "nb_enfants_pf": dossier.nb_enfants_pf,
        "nb_personnes_al": dossier.nb_personnes_al,
        "quotient_familial": dossier.quotient_familial,
    }


def _dossier(dossier, summary: bool) -> dict:
    adults = list(
        Person.objects.filter(dossier=dossier, role__in=[Person.Role.RESPONSABLE, Person.Role.CONJOINT]).order_by(
            "role"
        )
    )
    return {
        "situation": dossier.situation,
        "situation_familiale": dossier.situation_familiale,
        "date_situation_familiale": dossier.date_situation_familiale,
        "surendettement": dossier.surendettement,
        "adultes": sorted(adults, key=lambda p: p.role != Person.Role.RESPONSABLE),
    }


def _paiements(dossier, summary: bool, page: int = 1, vue: str = "paiement") -> dict:
    payments = Payment.objects.filter(dossier=dossier)
    if summary:
        return {"dernier": payments.order_by("-date_emission", "-id").first()}
    ordering = ["-periode", "-date_emission", "-id"] if vue == "periode" else ["-date_emission", "-id"]
    paginator = Paginator(
        payments.order_by(*ordering).prefetch_related(
            Prefetch("lines", queryset=PaymentLine.objects.order_by("prestation", "id"))
        ),
        PAYMENTS_PER_PAGE,
    )
    return {"page": paginator.get_page(page), "vue": vue}


def _droits(dossier, summary: bool, vue: str = "mensuelle") -> dict:
    rights = list(Right.objects.filter(dossier=dossier).order_by("-mois", "prestation")[:240])
    if summary:
        latest = rights[0].mois if rights else None
        return {"mois": latest, "droits": [r for r in rights if r.mois == latest]}
    months: dict = {}
    for right in rights:
        months.setdefault(right.mois, []).append(right)
    periods: dict = {}
    for right in sorted(rights, key=lambda r: (r.prestation, r.mois)):
        spans = periods.setdefault(right.prestation, [])
        if spans and spans[-1]["montant"] == right.montant and spans[-1]["suspendu"] == right.suspendu:
            spans[-1]["fin"] = right.mois
        else:
            spans.append(
                {"debut": right.mois, "fin": right.mois, "montant": right.montant, "suspendu": right.suspendu}
            )
    return {"mois": sorted(months.items(), reverse=True), "periodes": sorted(periods.items()), "vue": vue}


def _famille(dossier, summary: bool) -> dict:
    persons = list(
        Person.objects.filter(dossier=dossier, role__in=[Person.Role.ENFANT, Person.Role.AUTRE]).order_by(
            "date_naissance", "id"
        )
    )
    return {
        "enfants": [p for p in persons if p.role == Person.Role.ENFANT],
        "autres": [p for p in persons if p.role == Person.Role.AUTRE],
    }


def _ressources(dossier, summary: bool) -> dict:
    rows = list(Resource.objects.filter(dossier=dossier).select_related("person").order_by("-annee", "-mois", "id"))
    annual = [r for r in rows if r.annee]
    year = annual[0].annee if annual else None
    annual = [r for r in annual if r.annee == year]
    return {
        "annee": year,
        "annuelles": annual,
        "total": sum((r.montant for r in annual), 0),
        "mensuelles": [r for r in rows if r.mois and not r.annee][:24],
    }


def _rsa(dossier, summary: bool) -> dict:
    periods = list(RsaPeriod.objects.filter(dossier=dossier).order_by("-date_debut"))
    return {"periodes": periods[:1] if summary else periods}


def _courriers(dossier, summary: bool) -> dict:
    letters = Letter.objects.filter(dossier=dossier).order_by("-date_reception", "-id")
    return {"courriers": list(letters[:1] if summary else letters[:200])}


def _logement(dossier, summary: bool) -> dict:
    housings = Housing.objects.filter(dossier=dossier).order_by("-actuel", "-date_debut_occupation")
    return {"logements": list(housings[:1] if summary else housings[:20])}


def _creances(dossier, summary: bool) -> dict:
    debts = list(Debt.objects.filter(dossier=dossier).order_by("id")[:200])
    return {"creances": debts, "reste_du": sum((d.reste_du for d in debts), 0)}


def _complementaires(dossier, summary: bool) -> dict:
    return {"donnees": list(ComplementaryData.objects.filter(dossier=dossier).order_by("id")[:200])}


def _cmu(dossier, summary: bool) -> dict:
    kinds = [HealthCoverage.Kind.CMU, HealthCoverage.Kind.CMUC, HealthCoverage.Kind.RSA]
    rows = HealthCoverage.objects.filter(dossier=dossier, kind__in=kinds).order_by("-date_debut", "id")
    return {"couvertures": list(rows[:100])}


def _cmuc_ressources(dossier, summary: bool) -> dict:
    rows = HealthCoverage.objects.filter(dossier=dossier, kind=HealthCoverage.Kind.CMUC_RESSOURCES)
    return {"ressources": list(rows.order_by("-date_debut", "id")[:100])}


BUILDERS = {
    "dossier": _dossier,
    "paiements": _paiements,
    "droits": _droits,
    "famille": _famille,
    "ressources": _ressources,
    "rsa": _rsa,
    "courriers": _courriers,
    "logement": _logement,
    "creances": _creances,
    "donnees_complementaires": _complementaires,
    "cmu_cmuc_rsa": _cmu,
    "cmuc_ressources": _cmuc_ressources,
}
assert set(BUILDERS) | {"synthese"} == set(TAB_ORDER)


def dossier_view(consultation: Consultation, *, rubric: str | None = "synthese", **options) -> dict:
    """The page's data, masked: tabs = the open rubrics; `identity` for everyone; on the synthèse, one summary per
    open rubric; on a rubric page, that rubric's data only; `rubric=None`: the header only. A closed rubric is
    never built: PermissionError (the views check `may_see` first and answer 403)."""
    profile = consultation.profile_code
    mask = rubrics_for(profile)
    if rubric is not None and rubric not in mask:
        raise PermissionError(rubric)
    dossier = consultation.dossier
    tabs = [(code, RUBRIC_LABELS[code]) for code in tabs_for(profile)]
    view = {
        "consultation": consultation,
        "profile": profile,
        "tabs": tabs,
        "current": rubric,
        "current_label": RUBRIC_LABELS.get(rubric, ""),
        # Identity, address, composition, QF belong to the synthèse: shown only with it (all profiles open it today).
        "identity": _identity(dossier) if "synthese" in mask else {},
        "attestation": may_see(profile, "attestation_paiement"),
    }
    if rubric is None:
        return view  # the header only (attestation, Dialogue)
    if rubric == "synthese":
        view["summaries"] = [(code, label, BUILDERS[code](dossier, True)) for code, label in tabs if code in BUILDERS]
    else:
        view["data"] = BUILDERS[rubric](dossier, False, **options)
    return view


def attestation_data(consultation: Consultation, periode=None) -> dict:
    """The attestation de paiement for the last paid month (or `periode`, the month a postal request asked for):
    only for profiles that open it (the caller checked), and it shows payments only (the paiements rubric's data)
    plus identity and QF."""
    if not may_see(consultation.profile_code, "attestation_paiement"):
        raise PermissionError("attestation_paiement")
    dossier = consultation.dossier
    paid = Payment.objects.filter(dossier=dossier)
    if periode is not None:
        paid = paid.filter(periode=periode)
    last = paid.order_by("-periode", "-date_emission").first()
    payments = []
    if last is not None:
        payments = list(
            Payment.objects.filter(dossier=dossier, periode=last.periode)
            .prefetch_related(Prefetch("lines", queryset=PaymentLine.objects.order_by("prestation", "id")))
            .order_by("date_emission", "id")
        )
    lines = [(line.prestation, line.montant) for payment in payments for line in payment.lines.all()]
    if not lines:
        lines = [(payment.type_traitement, payment.montant_paye) for payment in payments]
    return {
        "identity": _identity(dossier),
        "caf": dossier.caf,
        "periode": last.periode if last else None,
        "payments": payments,
        "lignes": lines,
        "total": sum((amount for _, amount in lines), 0),
    }
