"""Reads of ADONIS. The SAAD is the organism in which the user holds the ADONIS profile today (habilitations.access);
its requests and look-ups are scoped to those organisms and to the user (a look-up is the user's own): another
SAAD's request answers 404, as one that does not exist. The family's data is the Caf's, read through cdap.selectors
only."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.http import Http404
from django.utils import timezone

from adonis.models import SERVICE, FamilyLookup, HomeHelpRequest, ParticipationBracket
from cdap import selectors as cdap_selectors
from habilitations.access.context import AccessContext

# A look-up reference lives as long as an idle session (as a CDAP consultation): after that, search again.
LOOKUP_TTL = datetime.timedelta(minutes=30)
CENT = Decimal("0.01")


def saad_organism_ids(access: AccessContext) -> frozenset[int]:
    """The organisms the user acts for as a SAAD today (usually one)."""
    return frozenset(grant.organism_id for grant in access.grants_for(SERVICE))


def lookup_for(request, reference) -> FamilyLookup:
    """The request user's own, recent look-up, of an organism where the user holds ADONIS today; 404 otherwise
    (the same answer for unknown, another user's and expired)."""
    lookup = (
        FamilyLookup.objects.select_related("organism")
        .filter(
            reference=reference,
            user_id=request.user.pk,
            organism_id__in=saad_organism_ids(request.access),
            created_at__gte=timezone.now() - LOOKUP_TTL,
        )
        .first()
    )
    if lookup is None:
        raise Http404("Recherche inconnue")
    return lookup


def family(dossier_id: int) -> dict:
    """The family composition and the quotient familial as the Caf computes it today (cdap.selectors)."""
    return cdap_selectors.family_composition(dossier_id)


def quotient_familial(dossier_id: int) -> int | None:
    """The quotient familial the Caf computes today (actualisation du QF), None when it does not know it."""
    return cdap_selectors.quotient_familial(dossier_id)


def requests(access: AccessContext):
    """The SAAD's requests, newest first."""
    return HomeHelpRequest.objects.filter(organism_id__in=saad_organism_ids(access)).order_by("-date_demande", "-id")


def with_families(page) -> list:
    """The requests of a page, each with its `famille` ({"numero", "nom"}): one query for the page."""
    rows = list(page)
    headers = cdap_selectors.dossier_headers({row.dossier_id for row in rows})
    for row in rows:
        row.famille = headers.get(row.dossier_id, {"numero": "", "nom": ""})
    return rows


def request_for(access: AccessContext, request_id: int) -> HomeHelpRequest:
    """One of the SAAD's requests; 404 for another SAAD's (the same answer as one that does not exist)."""
    found = requests(access).select_related("created_by").filter(pk=request_id).first()
    if found is None:
        raise Http404("Demande inconnue")
    return found


def brackets(caf_id: int):
    """The Caf's participation scale, by quotient familial."""
    return ParticipationBracket.objects.filter(caf_id=caf_id).order_by("qf_min")


def bracket_for(caf_id: int, qf: int | None) -> ParticipationBracket | None:
    """The bracket of the Caf's scale holding `qf` (both bounds included); None when the QF is unknown or no bracket
    holds it."""
    if qf is None:
        return None
    return (
        ParticipationBracket.objects.filter(caf_id=caf_id, qf_min__lte=qf)
        .exclude(qf_max__lt=qf)
        .order_by("qf_min")
        .first()
    )


def participation(bracket: ParticipationBracket | None, heures) -> Decimal | None:
    """The family's participation for `heures` planned hours: the bracket's hourly rate × the hours, to the cent."""
    if bracket is None or heures is None:
        return None
    return (bracket.taux_horaire * Decimal(heures)).quantize(CENT, rounding=ROUND_HALF_UP)
