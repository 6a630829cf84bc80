"""AFAS's part of `seed_demo` (core.demo): the activities of the Centre social Les Moulins — guide 002's ALSH « Péri
Assoc », « Extra Assoc » and « Acc Ados Assoc » with their lieux d'implantation « Site » and « Site Ecoles », an EAJE
and a RAM/RPE —, registered by the agent of its Caf, and the roles of its AFAS-DECLARER member ENF061AFDC, given by
its AFAS-HABILITER user ENF061AFHB. Everything through afas.services (journaled as those two). Only what is missing
is written: a second run changes nothing, and a role ended in « Administration des profils » stays ended."""

import datetime

from django.utils import timezone

from afas import services
from afas.models import Activity, RoleAssignment
from core.demo import DemoPart
from habilitations.models import Organism, User

ORGANISM = "Centre social Les Moulins"
AGENT = "CAF061AGNT"
HABILITER = "ENF061AFHB"
# nom, type d'activité, nature, lieux d'implantation
ACTIVITIES = [
    ("Péri Assoc", "ALSH", "PERISCOLAIRE", ("Site", "Site Ecoles")),
    ("Extra Assoc", "ALSH", "EXTRASCOLAIRE", ("Site", "Site Ecoles")),
    ("Acc Ados Assoc", "ALSH", "ADOLESCENTS", ("Site",)),
    ("Multi-accueil Les Moulins", "EAJE", "", ()),
    ("Relais petite enfance Les Moulins", "RAM_RPE", "", ()),
]
# identifiant, rôle, activité, lieu d'implantation (None: the activity itself)
ROLES = [
    ("ENF061AFDC", "FDA", "Péri Assoc", None),
    ("ENF061AFDC", "FDF", "Péri Assoc", None),
    ("ENF061AFDC", "APPROBATEUR", "Péri Assoc", None),
    ("ENF061AFDC", "FDA", "Péri Assoc", "Site Ecoles"),
    ("ENF061AFDC", "FDA", "Extra Assoc", None),
    ("ENF061AFDC", "FDA", "Multi-accueil Les Moulins", None),
    ("ENF061AFDC", "FDF", "Multi-accueil Les Moulins", None),
]


def opening_day(today: datetime.date) -> datetime.date:
    """The activities opened at the start of the school year three years ago."""
    return datetime.date(today.year - 3, 9, 1)


def seed_activities(organism: Organism, *, agent: User | None, opening: datetime.date) -> tuple[dict, int]:
    """The organism's demo activities and sites, created where missing (an agent's edit is kept)."""
    activities, added = {}, 0
    for nom, type_activite, nature, sites in ACTIVITIES:
        activity = Activity.objects.filter(organism=organism, nom=nom).first()
        if activity is None:
            activity = services.activity_create(
                actor=agent,
                organism=organism,
                caf=organism.caf_pivot,
                nom=nom,
                type_activite=type_activite,
                nature=nature,
                date_ouverture=opening,
            )
            added += 1
        activities[nom] = activity
        present = set(activity.sites.values_list("nom", flat=True))
        for site_nom in sites:
            if site_nom not in present:
                services.site_create(activity=activity, nom=site_nom, date_ouverture=opening, actor=agent)
    return activities, added


def seed_roles(activities: dict, *, habiliter: User | None) -> int:
    """The demo roles, each given once: one that exists, open or ended, is left as it is."""
    given = 0
    for identifiant, role, activity_nom, site_nom in ROLES:
        user = User.objects.filter(identifiant=identifiant).first()
        if user is None:
            continue
        activity = activities[activity_nom]
        site = activity.sites.get(nom=site_nom) if site_nom else None
        if not RoleAssignment.objects.filter(user=user, role=role, activity=activity, site=site).exists():
            if site is not None:
                services.role_assign(user=user, role=role, site=site, actor=habiliter)
            else:
                services.role_assign(user=user, role=role, activity=activity, actor=habiliter)
            given += 1
    return given


class AfasDemo(DemoPart):
    order = 30

    def seed(self, command, options: dict) -> None:
        organism = Organism.objects.filter(nom=ORGANISM).first()
        if organism is None:
            return
        agent = User.objects.filter(identifiant=AGENT).first()
        activities, added = seed_activities(organism, agent=agent, opening=opening_day(timezone.localdate()))
        given = seed_roles(activities, habiliter=User.objects.filter(identifiant=HABILITER).first())
        if added or given:
            command.stdout.write(f"AFAS : {added} activités créées, {given} rôles attribués ({ORGANISM}).")


DEMO_PART = AfasDemo
