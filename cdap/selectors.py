"""Reads of Consulter Dossier. THE mask is applied here, once: `dossier_view` builds only the rubrics the
consultation's profile opens (habilitations.access.rubrics), so no template or PDF can show a closed rubric's data.
"""

import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, TruncMonth
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
from cdap.prestations import is_housing_aid, libelle
from cdap.text import normalize_name
from habilitations.access.rubrics import RUBRIC_LABELS, TAB_ORDER, may_see, rubrics_for, tabs_for

# A consultation reference lives as long as an idle session: after that, search again.
CONSULTATION_TTL = datetime.timedelta(minutes=30)
# T18 / T19: RSA received now or within the last two years.
RSA_LOOKBACK_DAYS = 730
PAYMENTS_PER_PAGE = 12
SYNTHESE_PAYMENTS = 3  # the synthèse lists the last three payments sent (webinar 004:461)
RIGHTS_MONTHS = 24
RIGHTS_ROWS = 480

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
    """The dossier of (Caf, numéro) whose responsable or conjoint bears the name — compared in cdap.text's normal
    form: accents, case, hyphens, apostrophes and extra blanks ignored —, if every control of the profile holds;
    else (None, reason code). A constant number of queries (at most three)."""
    today = today or timezone.localdate()
    dossier = Dossier.objects.select_related("caf").filter(caf_id=criteria.caf_id, numero=criteria.numero).first()
    if dossier is None:
        return None, REASON_NOT_FOUND
    # Both sides in one normal form (cdap.text): "dupre  lefevre", "Dupré–Lefèvre" or "DUPRÉ-LEFÈVRE" alike.
    name = normalize_name(criteria.nom)
    if (
        not name
        or not Person.objects.filter(
            dossier=dossier, role__in=[Person.Role.RESPONSABLE, Person.Role.CONJOINT], nom_recherche=name
        ).exists()
    ):
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


def _persons(dossier) -> list:
    """Every person of the dossier, by date of birth, read once per dossier object: the header, the Dossier, Droits,
    Famille and Données complémentaires rubrics and the synthèse all take theirs from this one query (a household
    is a handful of rows)."""
    if not hasattr(dossier, "_persons"):
        dossier._persons = list(Person.objects.filter(dossier=dossier).order_by("date_naissance", "id"))
    return dossier._persons


def _adults(dossier) -> list:
    """The responsable then the conjoint."""
    adults = [p for p in _persons(dossier) if p.role in (Person.Role.RESPONSABLE, Person.Role.CONJOINT)]
    return sorted(adults, key=lambda p: (p.role != Person.Role.RESPONSABLE, p.role, p.pk))


def _identity(dossier) -> dict:
    """Identity, address, composition, QF: the synthèse's part that every profile sees."""
    return {
        "numero": dossier.numero,
        "caf": dossier.caf.nom,
        "adultes": _adults(dossier),
        "adresse": dossier.adresse,
        "code_postal": dossier.code_postal,
        "commune": dossier.commune,
        "nb_enfants_pf": dossier.nb_enfants_pf,
        "nb_personnes_al": dossier.nb_personnes_al,
        "quotient_familial": dossier.quotient_familial,
    }


def _dossier(dossier, summary: bool) -> dict:
    adults = _adults(dossier)
    return {
        "situation": dossier.situation,
        "situation_familiale": dossier.situation_familiale,
        "date_situation_familiale": dossier.date_situation_familiale,
        "nb_enfants_pf": dossier.nb_enfants_pf,
        "nb_personnes_al": dossier.nb_personnes_al,
        "quotient_familial": dossier.quotient_familial,
        "surendettement": dossier.surendettement,
        "adultes": adults,
        # "Nationalité du responsable du dossier : étrangère" / "… du conjoint" (webinar 004:485).
        "nationalites": [
            {
                "qui": "du responsable du dossier" if p.role == Person.Role.RESPONSABLE else "du conjoint",
                "nationalite": NATIONALITES.get(p.nationalite, p.nationalite.lower()),
                "fin_titre_sejour": p.fin_titre_sejour,
            }
            for p in adults
        ],
    }


# How the guide words a nationality after "Nationalité du responsable du dossier :".
NATIONALITES = {"Française": "française", "UE": "ressortissant de l'Union européenne", "Étrangère": "étrangère"}


def _paiements(dossier, summary: bool, page: int = 1, vue: str = "paiement") -> dict:
    """Synthèse: the last payments sent. "Vue par paiement": one payment a page, the newest first ("Paiement
    précédent" is the page after); "Vue par période": PAYMENTS_PER_PAGE a page, by period."""
    payments = Payment.objects.filter(dossier=dossier)
    if summary:
        latest = list(payments.order_by("-date_emission", "-id")[:SYNTHESE_PAYMENTS])
        return {"dernier": latest[0] if latest else None, "derniers": latest}
    ordering = ["-periode", "-date_emission", "-id"] if vue == "periode" else ["-date_emission", "-id"]
    paginator = Paginator(
        payments.order_by(*ordering).prefetch_related(
            Prefetch("lines", queryset=PaymentLine.objects.order_by("prestation", "id"))
        ),
        PAYMENTS_PER_PAGE if vue == "periode" else 1,
    )
    current = paginator.get_page(page)
    lines = [line for payment in current for line in payment.lines.all()]
    return {
        "page": current,
        "vue": vue,
        "note_aides_logement": any(is_housing_aid(line.prestation) for line in lines),
    }


def _droits(dossier, summary: bool, vue: str = "mensuelle", mois: str = "") -> dict:
    """The rights of the last RIGHTS_MONTHS months, each benefit by its full name and, for a personal one, its
    person ("Allocation aux adultes handicapés Madame"). Vue mensuelle: "Droits à la date" of one month (`mois`,
    "AAAA-MM", else the latest) with the months before and after it; vue par période: each benefit's spans of
    equal amounts."""
    rows = list(Right.objects.filter(dossier=dossier).order_by("-mois", "prestation", "beneficiaire")[:RIGHTS_ROWS])
    months = sorted({r.mois for r in rows}, reverse=True)[:RIGHTS_MONTHS]
    rows = [r for r in rows if r.mois in months]
    if not rows:
        return {"mois": None, "droits": [], "mois_liste": [], "periodes": [], "vue": vue}
    adults = {p.role: p for p in _adults(dossier)}
    for right in rows:
        right.libelle = _right_label(right, adults)
        right.aide_logement = is_housing_aid(right.prestation)
    chosen = next((m for m in months if m.strftime("%Y-%m") == mois), months[0])
    if summary:
        return {"mois": chosen, "droits": [r for r in rows if r.mois == chosen]}
    position = months.index(chosen)
    shown = [r for r in rows if r.mois == chosen]
    periods: dict = {}
    for right in sorted(rows, key=lambda r: (r.libelle, r.mois)):
        spans = periods.setdefault(right.libelle, [])
        if spans and spans[-1]["montant"] == right.montant and spans[-1]["suspendu"] == right.suspendu:
            spans[-1]["fin"] = right.mois
        else:
            spans.append(
                {"debut": right.mois, "fin": right.mois, "montant": right.montant, "suspendu": right.suspendu}
            )
    return {
        "mois": chosen,
        "droits": shown,
        "mois_liste": months,
        "precedent": months[position + 1] if position + 1 < len(months) else None,
        "suivant": months[position - 1] if position > 0 else None,
        "periodes": sorted(periods.items()),
        "vue": vue,
        "note_aides_logement": any(r.aide_logement for r in (shown if vue == "mensuelle" else rows)),
    }


# The guide names a personal benefit with its person's title: "Allocation aux adultes handicapés Madame".
TITRES = {"Mme": "Madame", "M.": "Monsieur", "M": "Monsieur"}


def _right_label(right, adults: dict) -> str:
    label = libelle(right.prestation)
    person = adults.get(right.beneficiaire)
    if person is None:
        return label
    title = TITRES.get(person.civilite, "")
    if not title:
        title = "du responsable du dossier" if person.role == Person.Role.RESPONSABLE else "du conjoint"
    return f"{label} {title}"


def _famille(dossier, summary: bool) -> dict:
    """The family situation and its date, the adults with their activity (the guide's "Madame … Née le … Activité
    depuis le … : Salariée"), the children and the other dependants."""
    persons = _persons(dossier)
    return {
        "situation_familiale": dossier.situation_familiale,
        "date_situation_familiale": dossier.date_situation_familiale,
        "adultes": _adults(dossier),
        "enfants": [p for p in persons if p.role == Person.Role.ENFANT],
        "autres": [p for p in persons if p.role == Person.Role.AUTRE],
    }


def _ressources(dossier, summary: bool, annee: str = "", mois: str = "") -> dict:
    """ "Ressources annuelles" of one year (`annee`, else the latest) and "Ressources Aide au logement" of one month
    (`mois`, "AAAA-MM", else the latest of the last 24), each a table nature × person with its sub-totals and total,
    and the years or months before and after; the monthly totals of the last 24 months ("Détail")."""
    rows = list(Resource.objects.filter(dossier=dossier).select_related("person").order_by("-annee", "-mois", "id"))
    years = sorted({r.annee for r in rows if r.annee}, reverse=True)
    year = next((y for y in years if str(y) == annee), years[0] if years else None)
    annual = [r for r in rows if r.annee and r.annee == year]
    monthly = [r for r in rows if r.mois and not r.annee]
    months = sorted({r.mois for r in monthly}, reverse=True)[:24]
    month = next((m for m in months if m.strftime("%Y-%m") == mois), months[0] if months else None)
    data = {
        "annee": year,
        "annuelles": annual,
        "total": sum((r.montant for r in annual), 0),
        "mensuelles": [r for r in monthly if r.mois in months],
    }
    if summary:
        return data
    year_at = years.index(year) if year else 0
    month_at = months.index(month) if month else 0
    data.update(
        annuel=_resource_table(annual),
        annee_precedente=years[year_at + 1] if year_at + 1 < len(years) else None,
        annee_suivante=years[year_at - 1] if year_at > 0 else None,
        mois=month,
        mensuel=_resource_table([r for r in monthly if r.mois == month]),
        mois_precedent=months[month_at + 1] if month_at + 1 < len(months) else None,
        mois_suivant=months[month_at - 1] if month_at > 0 else None,
        detail=[(m, sum((r.montant for r in monthly if r.mois == m), 0)) for m in months],
    )
    return data


def _resource_table(rows: list) -> dict:
    """Natures × persons: one column per adult (their title, "Madame"), one for the other members of the household
    (a child is never named here) and one for the household's own resources; a line per nature; sub-totals by
    column and the total."""
    columns: dict = {}
    for r in rows:
        person = r.person
        if person is not None and person.role in (Person.Role.RESPONSABLE, Person.Role.CONJOINT):
            key = (0 if person.role == Person.Role.RESPONSABLE else 1, person.pk)
            title = TITRES.get(person.civilite) or person.get_role_display()
        elif person is not None:
            key, title = (2, 0), "Autre personne du foyer"
        else:
            key, title = (3, 0), "Foyer"
        columns.setdefault(key, title)
    keys = sorted(columns)
    natures: dict = {}
    for r in rows:
        person = r.person
        if person is not None and person.role in (Person.Role.RESPONSABLE, Person.Role.CONJOINT):
            key = (0 if person.role == Person.Role.RESPONSABLE else 1, person.pk)
        else:
            key = (2, 0) if person is not None else (3, 0)
        cells = natures.setdefault(r.nature, dict.fromkeys(keys))
        cells[key] = (cells[key] or 0) + r.montant
    return {
        "colonnes": [columns[k] for k in keys],
        "lignes": [(nature, [cells[k] for k in keys]) for nature, cells in natures.items()],
        "sous_totaux": [sum((cells[k] or 0 for cells in natures.values()), 0) for k in keys],
        "total": sum((r.montant for r in rows), 0),
    }


def _rsa(dossier, summary: bool) -> dict:
    if summary:
        periods = sorted(_short_rows(dossier, "rsa"), key=lambda p: p.date_debut, reverse=True)
        return {"periodes": periods[:1]}
    return {"periodes": list(RsaPeriod.objects.filter(dossier=dossier).order_by("-date_debut"))}


def _courriers(dossier, summary: bool, today: datetime.date | None = None) -> dict:
    """Synthèse: "Courriers de <mois> à <mois>", the letters of the last three months (this one and the two
    before); the rubric: the 200 latest."""
    if summary:
        today = today or timezone.localdate()
        since = _courriers_since(today)
        letters = sorted(
            (letter for letter in _short_rows(dossier, "courriers", today) if letter.date_reception >= since),
            key=lambda letter: (letter.date_reception, letter.pk),
            reverse=True,
        )
        return {"courriers": letters[:20], "depuis": since, "jusqu_a": today}
    return {"courriers": list(Letter.objects.filter(dossier=dossier).order_by("-date_reception", "-id")[:200])}


def _courriers_since(today: datetime.date) -> datetime.date:
    """The first day of the month two months before `today`'s."""
    since = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    return (since - datetime.timedelta(days=1)).replace(day=1)


def _logement(dossier, summary: bool) -> dict:
    """The current housing first, then the latest occupied (an unknown date last)."""
    if summary:
        housings = sorted(
            _short_rows(dossier, "logement"),
            key=lambda h: (not h.actuel, -(h.date_debut_occupation or datetime.date.min).toordinal(), -h.pk),
        )
        return {"logements": housings[:1]}
    housings = Housing.objects.filter(dossier=dossier).order_by("-actuel", "-date_debut_occupation")
    return {"logements": list(housings[:20])}


def _creances(dossier, summary: bool) -> dict:
    if summary:
        debts = sorted(_short_rows(dossier, "creances"), key=lambda d: d.pk)[:200]
    else:
        debts = list(Debt.objects.filter(dossier=dossier).order_by("id")[:200])
    reste_du = sum((d.reste_du for d in debts), 0)
    # "Aucune créance en cours." when nothing remains due (webinar 004:468), even if paid-off debts are listed.
    return {"creances": debts, "reste_du": reste_du, "en_cours": [d for d in debts if d.reste_du > 0]}


def _complementaires(dossier, summary: bool) -> dict:
    """The children for whom the AEEH is paid (Nom, Prénom, … Liens affectifs), the other dependants, and the
    other complementary data."""
    if summary:
        return {"donnees": sorted(_short_rows(dossier, "donnees_complementaires"), key=lambda d: d.pk)[:200]}
    donnees = list(ComplementaryData.objects.filter(dossier=dossier).order_by("id")[:200])
    persons = _persons(dossier)
    return {
        "donnees": donnees,
        "enfants_aeeh": [p for p in persons if p.role == Person.Role.ENFANT and p.aeeh],
        "autres": [p for p in persons if p.role == Person.Role.AUTRE],
    }


# ---- the synthèse's short blocks, in one query ------------------------------------------------------------------
# RSA, Courriers, Logement, Créances and Données complémentaires show a line or two each on the synthèse, from a few
# rows per dossier: one UNION ALL reads the open ones together instead of a query each. Each model's columns travel
# in typed slots (dates with dates, texts with texts...) padded with NULLs, and come back as full model instances, so
# the summaries' templates read the fields they like. No ORDER BY / LIMIT inside the union (SQLite refuses them):
# the builders sort and cut in Python.
SHORT_BLOCKS = {
    "rsa": RsaPeriod,
    "courriers": Letter,
    "logement": Housing,
    "creances": Debt,
    "donnees_complementaires": ComplementaryData,
}
SLOT_TYPES = {
    "int": lambda: models.BigIntegerField(null=True),
    "date": lambda: models.DateField(null=True),
    "text": lambda: models.CharField(null=True),
    "decimal": lambda: models.DecimalField(max_digits=12, decimal_places=2, null=True),
    "bool": lambda: models.BooleanField(null=True),
}


def _slot_type(field) -> str:
    kind = field.get_internal_type()
    if field.is_relation or kind.endswith(("AutoField", "IntegerField")):
        return "int"
    return {"DateField": "date", "DecimalField": "decimal", "BooleanField": "bool"}.get(kind, "text")


def _short_rows(dossier, code: str, today: datetime.date | None = None) -> list:
    """The rows of block `code` read by _prefetch_short_blocks (or, alone, now: the same answer)."""
    if code not in getattr(dossier, "_short", {}):
        _prefetch_short_blocks(dossier, [code], today)
    return dossier._short[code]


def _prefetch_short_blocks(dossier, codes: list[str], today: datetime.date | None = None) -> None:
    """One query for the short blocks `codes` of the synthèse; the letters of the last three months only."""
    codes = [code for code in codes if code in SHORT_BLOCKS]
    dossier._short = getattr(dossier, "_short", {})
    if not codes:
        return
    layouts = {}
    for code in codes:
        fields = [f for f in SHORT_BLOCKS[code]._meta.concrete_fields if f.name != "dossier"]
        layouts[code] = {kind: [f for f in fields if _slot_type(f) == kind] for kind in SLOT_TYPES}
    widths = {kind: max(len(layout[kind]) for layout in layouts.values()) for kind in SLOT_TYPES}
    branches = []
    for index, code in enumerate(codes):
        # Typed casts, not bare parameters: PostgreSQL takes an untyped parameter in a UNION for text.
        columns = {"block": Cast(Value(index), models.IntegerField())}
        for kind, width in widths.items():
            slots = layouts[code][kind]
            for i in range(width):
                pad = Cast(Value(None), SLOT_TYPES[kind]())
                columns[f"{kind}{i}"] = F(slots[i].attname) if i < len(slots) else pad
        rows = SHORT_BLOCKS[code].objects.filter(dossier=dossier)
        if code == "courriers":
            rows = rows.filter(date_reception__gte=_courriers_since(today or timezone.localdate()))
        branches.append(rows.values(**columns))
    query = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
    for code in codes:
        dossier._short[code] = []
    for row in query:
        code = codes[row["block"]]
        model, layout = SHORT_BLOCKS[code], layouts[code]
        values = {f.attname: row[f"{kind}{i}"] for kind, slots in layout.items() for i, f in enumerate(slots)}
        values["dossier_id"] = dossier.pk
        fields = model._meta.concrete_fields
        dossier._short[code].append(
            model.from_db(None, [f.attname for f in fields], [values[f.attname] for f in fields])
        )


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
        # "Afficher :" (webinar 004:417): the same open rubrics, the synthèse first, then in alphabetical order.
        "afficher": [("synthese", "Synthèse du dossier")]
        + sorted(((c, label) for c, label in tabs if c != "synthese"), key=lambda tab: normalize_name(tab[1])),
    }
    if rubric is None:
        return view  # the header only (attestation, Dialogue)
    if rubric == "synthese":
        _prefetch_short_blocks(dossier, [code for code, _ in tabs])
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


# ---- the landlords' tenancies (Espace Bailleur, read through these functions only) -------------------------------

HOUSING_AID_CODES = ("AL", "ALF", "ALS", "APL")
# A tenant "receives" the aid when a right to it is known for one of the last months the Caf has computed (the
# rights of a month are known from the next one on).
TENANCY_AID_MONTHS = 2
LANDLORD_PAYEE = "Bailleur"  # Payment.destinataire when the Caf pays the aid to the landlord (tiers payant)


def _aid_window(today: datetime.date) -> datetime.date:
    first = today.replace(day=1)
    for _ in range(TENANCY_AID_MONTHS):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first


def landlord_tenancies(
    organism_ids, *, today: datetime.date | None = None, nom: str = "", aide: str = "", commune: str = ""
):
    """The current housings whose landlord is one of `organism_ids` and whose dossier receives a housing aid (AL,
    ALF, ALS or APL), each annotated with its tenant (`locataire_civilite`, `locataire_nom`, `locataire_prenom`:
    the responsable du dossier), its aid (`aide_code`: the latest right of the window) and `montant_bailleur` (the
    latest payment of the window made to the landlord, None when the aid is paid to the tenant: the landlord is told
    no amount then). One query whatever the number of tenancies. Filters: `nom` (the tenant's name, forgiving as the
    CDAP search), `aide` ("AL": AL/ALF/ALS, "APL"), `commune` (contains, case-insensitive)."""
    today = today or timezone.localdate()
    since = _aid_window(today)
    rights = Right.objects.filter(
        dossier=OuterRef("dossier_id"), prestation__in=HOUSING_AID_CODES, mois__gte=since, suspendu=False
    ).order_by("-mois", "-id")
    responsable = Person.objects.filter(dossier=OuterRef("dossier_id"), role=Person.Role.RESPONSABLE).order_by("id")
    paid = Payment.objects.filter(
        dossier=OuterRef("dossier_id"), destinataire=LANDLORD_PAYEE, periode__gte=since
    ).order_by("-periode", "-date_emission", "-id")
    tenancies = (
        Housing.objects.filter(actuel=True, bailleur_organism_id__in=list(organism_ids))
        .select_related("dossier")
        .annotate(
            aide_code=Subquery(rights.values("prestation")[:1]),
            montant_bailleur=Subquery(paid.values("montant_paye")[:1]),
            locataire_civilite=Subquery(responsable.values("civilite")[:1]),
            locataire_nom=Subquery(responsable.values("nom")[:1]),
            locataire_prenom=Subquery(responsable.values("prenom")[:1]),
            locataire_recherche=Subquery(responsable.values("nom_recherche")[:1]),
        )
        .filter(aide_code__isnull=False)
    )
    if nom and normalize_name(nom):
        tenancies = tenancies.filter(locataire_recherche__contains=normalize_name(nom))
    if aide == "APL":
        tenancies = tenancies.filter(aide_code="APL")
    elif aide == "AL":
        tenancies = tenancies.filter(aide_code__in=("AL", "ALF", "ALS"))
    if commune.strip():
        tenancies = tenancies.filter(dossier__commune__icontains=commune.strip())
    return tenancies.order_by("locataire_recherche", "locataire_prenom", "id")


def landlord_tenancy(organism_ids, housing_id: int, *, today: datetime.date | None = None) -> Housing:
    """One tenancy of `landlord_tenancies`: 404 when it does not exist, is another landlord's or no longer receives
    a housing aid (the same answer)."""
    tenancy = landlord_tenancies(organism_ids, today=today).filter(pk=housing_id).first()
    if tenancy is None:
        raise Http404("Locataire introuvable")
    return tenancy


def aid_label(code: str) -> str:
    """ "APL" → "Aide personnalisée au logement (APL)"."""
    return f"{libelle(code)} ({code})"


# ---- ADONIS: what a home-help service (SAAD) reads of a family --------------------------------------------------


def family_composition(dossier_id: int) -> dict:
    """What ADONIS shows of a dossier, and nothing else of the file: its numéro, Caf, family situation, the adults,
    the children and other dependants (civilité, nom, prénom, date de naissance, rôle) and the quotient familial the
    Caf computes today (None when it does not know it). Two queries."""
    dossier = (
        Dossier.objects.select_related("caf")
        .only(
            "numero", "caf__code", "caf__nom", "situation_familiale", "date_situation_familiale", "quotient_familial"
        )
        .get(pk=dossier_id)
    )
    persons = list(
        Person.objects.filter(dossier_id=dossier_id)
        .only("dossier_id", "role", "civilite", "nom", "prenom", "date_naissance")
        .order_by("date_naissance", "id")
    )
    adults = [p for p in persons if p.role in (Person.Role.RESPONSABLE, Person.Role.CONJOINT)]
    adults.sort(key=lambda p: p.role != Person.Role.RESPONSABLE)
    return {
        "numero": dossier.numero,
        "caf": dossier.caf,
        "situation_familiale": dossier.situation_familiale,
        "date_situation_familiale": dossier.date_situation_familiale,
        "adultes": adults,
        "enfants": [p for p in persons if p.role == Person.Role.ENFANT],
        "autres": [p for p in persons if p.role == Person.Role.AUTRE],
        "quotient_familial": dossier.quotient_familial,
    }


def quotient_familial(dossier_id: int) -> int | None:
    """The quotient familial the Caf computes today for the dossier (None when it does not know it)."""
    return Dossier.objects.filter(pk=dossier_id).values_list("quotient_familial", flat=True).first()


def dossier_headers(dossier_ids) -> dict[int, dict]:
    """dossier id → {"numero", "nom"} (the responsable du dossier, "NOM Prénom") for a list of a SAAD's requests: one
    query whatever their number."""
    responsable = Person.objects.filter(dossier=OuterRef("pk"), role=Person.Role.RESPONSABLE).order_by("id")
    rows = (
        Dossier.objects.filter(pk__in=list(dossier_ids))
        .annotate(
            responsable_nom=Subquery(responsable.values("nom")[:1]),
            responsable_prenom=Subquery(responsable.values("prenom")[:1]),
        )
        .values_list("pk", "numero", "responsable_nom", "responsable_prenom")
    )
    return {
        pk: {"numero": numero, "nom": f"{(nom or '').upper()} {prenom or ''}".strip()}
        for pk, numero, nom, prenom in rows
    }


# The payments a landlord sees: the months the Caf keeps in the payments rubric (webinar 004: 24 months).
LANDLORD_PAYMENT_MONTHS = 24


def landlord_payment_months(today: datetime.date | None = None) -> list[datetime.date]:
    """The first days of the months « Paiements » covers, the most recent first (the current month included: a
    payment is emitted at the start of the next month, so its row appears then)."""
    first = (today or timezone.localdate()).replace(day=1)
    months = []
    for _ in range(LANDLORD_PAYMENT_MONTHS):
        months.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return months


def _landlord_payments(organism_ids, *, today, nom: str, mois: datetime.date | None):
    """The aid the Caf paid to the landlord (tiers payant) for the tenants housed by one of `organism_ids` today,
    from the month they moved in (an earlier month's payment went to their previous landlord)."""
    months = landlord_payment_months(today)
    housed = (
        Housing.objects.filter(
            dossier=OuterRef("dossier_id"), actuel=True, bailleur_organism_id__in=list(organism_ids)
        )
        .annotate(entree=TruncMonth("date_debut_occupation"))
        .filter(Q(entree__isnull=True) | Q(entree__lte=OuterRef("periode")))
    )
    payments = Payment.objects.filter(Exists(housed), destinataire=LANDLORD_PAYEE, periode__gte=months[-1])
    if mois is not None:
        payments = payments.filter(periode=mois)
    if nom and normalize_name(nom):
        payments = payments.filter(
            Exists(
                Person.objects.filter(
                    dossier=OuterRef("dossier_id"),
                    role=Person.Role.RESPONSABLE,
                    nom_recherche__contains=normalize_name(nom),
                )
            )
        )
    return payments


def landlord_payments(
    organism_ids, *, today: datetime.date | None = None, nom: str = "", mois: datetime.date | None = None
):
    """« Paiements » of the Espace Bailleur: each payment of the aid made to the landlord, the most recent month
    first, with its tenant (`locataire_civilite`, `locataire_nom`, `locataire_prenom`: the responsable du dossier)
    and the dossier (numéro, address). One query whatever the number of payments;
    filters: `nom` (forgiving, as the CDAP search) and `mois` (the first day of a month)."""
    today = today or timezone.localdate()
    responsable = Person.objects.filter(dossier=OuterRef("dossier_id"), role=Person.Role.RESPONSABLE).order_by("id")
    return (
        _landlord_payments(organism_ids, today=today, nom=nom, mois=mois)
        .select_related("dossier")
        .annotate(
            locataire_civilite=Subquery(responsable.values("civilite")[:1]),
            locataire_nom=Subquery(responsable.values("nom")[:1]),
            locataire_prenom=Subquery(responsable.values("prenom")[:1]),
            locataire_recherche=Subquery(responsable.values("nom_recherche")[:1]),
        )
        .order_by("-periode", "locataire_recherche", "locataire_prenom", "id")
    )


def landlord_payment_totals(
    organism_ids, *, today: datetime.date | None = None, nom: str = "", mois: datetime.date | None = None
) -> list[dict]:
    """The totals per month of `landlord_payments` (same filters): `periode`, `nombre` (payments), `total`, the most
    recent month first. One query."""
    today = today or timezone.localdate()
    return list(
        _landlord_payments(organism_ids, today=today, nom=nom, mois=mois)
        .order_by()
        .values("periode")
        .annotate(nombre=Count("id"), total=Sum("montant_paye"))
        .order_by("-periode")
    )
