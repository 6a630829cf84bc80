"""ADONIS test data: a SAAD user (the ADONIS profile in a fresh organism of the Caf 061), a look-up of a dossier by
that user (what a successful « Rechercher un dossier » opens), requests and the participation scale."""

import datetime
from decimal import Decimal

from django.utils import timezone

from adonis.models import Etat, FamilyLookup, HomeHelpRequest, ParticipationBracket
from tests.cdap.factories import DossierFactory
from tests.factories import caf, habilitated_user

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def saad_user(**user_kwargs):
    """(user holding ADONIS today, its organism)."""
    user, group = habilitated_user("ADONIS", **user_kwargs)
    return user, group.convention.organism


def lookup(user, organism, dossier=None, **dossier_kwargs) -> FamilyLookup:
    dossier = dossier or DossierFactory(**dossier_kwargs)
    return FamilyLookup.objects.create(user=user, organism=organism, dossier=dossier)


def request(user, organism, dossier=None, **fields) -> HomeHelpRequest:
    """A pending request (« Demandée ») of the SAAD, for a new dossier of its Caf unless given."""
    values = {"date_demande": TODAY() - 3 * DAY, "motif": "NAISSANCE", "type_intervenant": "TISF"}
    values.update(fields)
    return HomeHelpRequest.objects.create(
        organism=organism,
        caf=organism.caf_pivot,
        dossier=dossier or DossierFactory(),
        created_by=user,
        etat=values.pop("etat", Etat.DEMANDEE),
        **values,
    )


EXAMPLE_SCALE = [(0, 400, "1.50"), (401, 700, "3.00"), (701, 1000, "6.00"), (1001, None, "12.00")]


def scale(caf_code: str = "061", brackets=EXAMPLE_SCALE) -> list[ParticipationBracket]:
    the_caf = caf(caf_code)
    return [
        ParticipationBracket.objects.create(caf=the_caf, qf_min=low, qf_max=high, taux_horaire=Decimal(rate))
        for low, high, rate in brackets
    ]
