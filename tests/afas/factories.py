"""AFAS test data: an organism's AFAS groups (AFAS-DEC / AFAS-DECLARER, AFAS-HAB / AFAS-HABILITER), its activities
and sites."""

import datetime

from django.utils import timezone

from afas.models import Activity, Site
from tests.factories import GroupFactory, UserFactory, grant, member

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def afas_groups(convention=None):
    """(AFAS-DEC group, AFAS-HAB group) of a fresh organism, or of `convention`'s."""
    declarer = GroupFactory(
        code="AFAS-DEC", libelle="AFAS-DECLARER", **({"convention": convention} if convention else {})
    )
    habiliter = GroupFactory(code="AFAS-HAB", libelle="AFAS-HABILITER", convention=declarer.convention)
    grant(declarer, "AFAS-DECLARER")
    grant(habiliter, "AFAS-HABILITER")
    return declarer, habiliter


def declarer_of(group, **kwargs):
    """A user of the group's organism, member of the AFAS-DECLARER group."""
    user = UserFactory(organism=group.convention.organism, **kwargs)
    member(user, group)
    return user


def activity(organism, nom="Péri Assoc", type_activite="ALSH", nature="PERISCOLAIRE", **kwargs) -> Activity:
    kwargs.setdefault("date_ouverture", TODAY() - 200 * DAY)
    if type_activite != "ALSH":
        nature = ""
    return Activity.objects.create(
        organism=organism, caf=organism.caf_pivot, nom=nom, type_activite=type_activite, nature=nature, **kwargs
    )


def site(activity_, nom="Site", **kwargs) -> Site:
    kwargs.setdefault("date_ouverture", activity_.date_ouverture)
    return Site.objects.create(activity=activity_, nom=nom, **kwargs)
