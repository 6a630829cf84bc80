"""Reads of the Espace Bailleur. The landlord is the organism (personne physique or morale) in which the user holds
the BAILLEUR profile today (habilitations.access); the tenancies are the Caf's housing data, read through
cdap.selectors only, scoped to those organisms: another landlord's tenancy cannot be reached by a filter, a page
number or an id."""

from cdap import selectors as cdap_selectors
from habilitations.access.context import AccessContext

SERVICE = "BAILLEUR"


def landlord_organism_ids(access: AccessContext) -> frozenset[int]:
    """The organisms the user acts for as a landlord today (usually one)."""
    return frozenset(grant.organism_id for grant in access.grants_for(SERVICE))


def tenancies(access: AccessContext, *, nom: str = "", aide: str = "", commune: str = ""):
    """« Mes locataires »: the landlord's tenants receiving AL or APL, filtered, in one query."""
    return cdap_selectors.landlord_tenancies(
        landlord_organism_ids(access), today=access.day, nom=nom, aide=aide, commune=commune
    )


def tenancy(access: AccessContext, housing_id: int):
    """One of the landlord's tenancies; 404 for another landlord's (the same answer as one that does not exist)."""
    return cdap_selectors.landlord_tenancy(landlord_organism_ids(access), housing_id, today=access.day)


def payment_months(access: AccessContext):
    """The months « Paiements » covers, the most recent first."""
    return cdap_selectors.landlord_payment_months(access.day)


def payments(access: AccessContext, *, nom: str = "", mois=None):
    """« Paiements »: the aid the Caf paid to the landlord for its tenants, month by month, in one query."""
    return cdap_selectors.landlord_payments(landlord_organism_ids(access), today=access.day, nom=nom, mois=mois)


def payment_totals(access: AccessContext, *, nom: str = "", mois=None) -> list[dict]:
    """The totals per month of `payments` with the same filters, in one query."""
    return cdap_selectors.landlord_payment_totals(landlord_organism_ids(access), today=access.day, nom=nom, mois=mois)
