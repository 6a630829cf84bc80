"""Landlords and their tenancies for the Espace Bailleur tests.

`landlord()` is a user holding BAILLEUR in a fresh organism; `tenancy(organism, ...)` a dossier of the Caf 061
whose current housing belongs to `organism` and which receives a housing aid (APL paid to the landlord by default).
"""

from tests.cdap.factories import DossierFactory
from tests.factories import habilitated_user


def landlord(**user_kwargs):
    user, group = habilitated_user("BAILLEUR", **user_kwargs)
    return user, group.convention.organism


def tenancy(organism, *, aide: str = "APL", montant: str = "312.50", tiers_payant: bool = True, **kwargs):
    """The dossier's housing (cdap.models.Housing) rented from `organism`, with 3 months of rights to `aide` and,
    when `tiers_payant`, 3 months of payments of it to the landlord."""
    prestations = {aide: montant}
    values = {
        "rights": 3,
        "rights__prestations": prestations,
        "housing__bailleur_organism": organism,
        **kwargs,
    }
    if tiers_payant:
        values.update(
            payments=3,
            payments__prestations=prestations,
            payments__destinataire="Bailleur",
            payments__type_traitement=f"{aide} émis",
        )
    dossier = DossierFactory(**values)
    return dossier.housings.get()
