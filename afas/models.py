"""AFAS: the partners' facilities (activités and their lieux d'implantation) and the roles given on them (afas.md).

The roles' quotas hold in PostgreSQL: each role of an activity (or of a site, for the FDA) has numbered places
(`slot`: 2 FDA, 2 FDF, 1 FDI, 1 approbateur per activity; 2 FDA per site) and an exclusion constraint lets one
assignment at a time hold a place over any day. The service (afas.services.role_assign) picks a free place under
a lock and says, in French, who holds them when none is free; the constraints hold it whatever writes.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value

from core.constraints import DateRange, PostgresExclusionConstraint
from habilitations.access.service_roles import RoleSource
from habilitations.models import Caf, Dated, Organism, cloture_after_ouverture


class ActivityType(models.TextChoices):
    """Type d'activité (webinar 004: the facilities that declare through AFAS today)."""

    ALSH = "ALSH", "ALSH"
    EAJE = "EAJE", "EAJE"
    RAM_RPE = "RAM_RPE", "RAM/RPE"
    LAEP = "LAEP", "LAEP"
    JEUNESSE = "JEUNESSE", "Structure jeunesse"
    MEDIATION = "MEDIATION", "Médiation familiale"


class Nature(models.TextChoices):
    """Nature d'activité, for an ALSH only."""

    PERISCOLAIRE = "PERISCOLAIRE", "Périscolaire"
    EXTRASCOLAIRE = "EXTRASCOLAIRE", "Extrascolaire"
    ADOLESCENTS = "ADOLESCENTS", "Accueil adolescents"


def check_activity(type_activite: str, nature: str, date_ouverture, date_cloture) -> None:
    """The activity's rules, next to their fields (the database holds the same ones)."""
    errors = {}
    alsh = type_activite == ActivityType.ALSH
    if alsh and not nature:
        errors["nature"] = (
            "Choisissez la nature d'activité de l'ALSH (périscolaire, extrascolaire ou accueil adolescents)."
        )
    if type_activite and not alsh and nature:
        errors["nature"] = "Seul un ALSH a une nature d'activité : laissez ce champ vide."
    if date_cloture and date_ouverture and date_cloture < date_ouverture:
        errors["date_cloture"] = "La date de clôture doit être postérieure ou égale à la date d'ouverture."
    if errors:
        raise ValidationError(errors)


class Activity(Dated):
    """An activité (équipement/service) of a partner, financed by a Caf: "Péri Assoc", "CLSH de Bozouls"."""

    organism = models.ForeignKey(
        Organism, verbose_name="partenaire", on_delete=models.PROTECT, related_name="afas_activities"
    )
    caf = models.ForeignKey(Caf, verbose_name="Caf", on_delete=models.PROTECT, related_name="afas_activities")
    nom = models.CharField("nom de l'activité", max_length=120)
    type_activite = models.CharField("type d'activité", max_length=10, choices=ActivityType.choices)
    nature = models.CharField(
        "nature d'activité",
        max_length=13,
        choices=Nature.choices,
        blank=True,
        help_text="Pour un ALSH seulement : périscolaire, extrascolaire ou accueil adolescents.",
    )

    class Meta:
        verbose_name = "activité (équipement/service)"
        verbose_name_plural = "activités (équipements/services)"
        ordering = ["nom", "id"]
        constraints = [
            cloture_after_ouverture("afas_activity_cloture_after_ouverture"),
            models.CheckConstraint(
                condition=(Q(type_activite=ActivityType.ALSH) & ~Q(nature=""))
                | (~Q(type_activite=ActivityType.ALSH) & Q(nature="")),
                name="afas_activity_nature_for_alsh_only",
                violation_error_message="Une nature d'activité est à choisir pour un ALSH, et pour lui seul.",
            ),
        ]
        indexes = [models.Index(fields=["organism", "nom"], name="afas_activity_organism_idx")]

    def __str__(self):
        return self.nom

    def clean(self):
        check_activity(self.type_activite, self.nature, self.date_ouverture, self.date_cloture)


class Site(Dated):
    """A lieu d'implantation of an activity (an ALSH may have several: "Site", "Site Ecoles")."""

    activity = models.ForeignKey(Activity, verbose_name="activité", on_delete=models.PROTECT, related_name="sites")
    nom = models.CharField("nom du lieu d'implantation", max_length=120)

    class Meta:
        verbose_name = "lieu d'implantation"
        verbose_name_plural = "lieux d'implantation"
        ordering = ["activity", "nom", "id"]
        constraints = [cloture_after_ouverture("afas_site_cloture_after_ouverture")]

    def __str__(self):
        return self.nom

    def clean(self):
        if self.date_cloture and self.date_ouverture and self.date_cloture < self.date_ouverture:
            raise ValidationError(
                {"date_cloture": "La date de clôture doit être postérieure ou égale à la date d'ouverture."}
            )


class Role(models.TextChoices):
    FDA = "FDA", "Fournisseur de données d'activité"
    FDF = "FDF", "Fournisseur de données financières"
    FDI = "FDI", "Fournisseur de données par import"
    APPROBATEUR = "APPROBATEUR", "Approbateur"


# Places per role active on the same day (webinar 004, "Les Rôles": 2 FDA – 2 FDF – 1 FDI – 1 approbateur; at each
# lieu d'implantation 1 or 2 FDA).
ACTIVITY_QUOTAS = {Role.FDA: 2, Role.FDF: 2, Role.FDI: 1, Role.APPROBATEUR: 1}
SITE_QUOTAS = {Role.FDA: 2}
PERIOD = DateRange("date_ouverture", "date_cloture", Value("[)"))


class RoleAssignment(Dated):
    """A habilitation d'action sociale: a user's role on an activity (site empty) or on one of its sites (FDA only),
    from its début to its fin d'habilitation (exclusive, like every date de clôture of the portal). It gives its role
    only while the user's AFAS-DECLARER membership is open (habilitations.access.service_roles)."""

    ROLE_SOURCE = RoleSource(
        service="AFAS", profile="AFAS-DECLARER", organism_lookup="activity__organism", manager_profile="AFAS-HABILITER"
    )

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="utilisateur", on_delete=models.PROTECT, related_name="afas_roles"
    )
    role = models.CharField("rôle", max_length=11, choices=Role.choices)
    activity = models.ForeignKey(Activity, verbose_name="activité", on_delete=models.PROTECT, related_name="roles")
    site = models.ForeignKey(
        Site, verbose_name="lieu d'implantation", on_delete=models.PROTECT, related_name="roles", null=True, blank=True
    )
    slot = models.PositiveSmallIntegerField("place", default=1)
    date_ouverture = models.DateField("début d'habilitation")
    date_cloture = models.DateField("fin d'habilitation", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="attribué par", on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField("attribué le", auto_now_add=True)

    class Meta:
        verbose_name = "habilitation d'action sociale"
        verbose_name_plural = "habilitations d'action sociale"
        ordering = ["activity", "site", "role", "date_ouverture", "id"]
        indexes = [models.Index(fields=["user", "activity"], name="afas_role_user_activity_idx")]
        constraints = [
            cloture_after_ouverture("afas_role_cloture_after_ouverture"),
            models.CheckConstraint(condition=Q(site__isnull=True) | Q(role=Role.FDA), name="afas_role_site_fda_only"),
            models.CheckConstraint(
                condition=Q(slot=1) | Q(slot=2, role__in=[Role.FDA, Role.FDF]), name="afas_role_slot_in_quota"
            ),
            # One assignment per place of a role at a time: the quotas.
            PostgresExclusionConstraint(
                name="afas_role_activity_places",
                expressions=[("activity", "="), ("role", "="), ("slot", "="), (PERIOD, "&&")],
                condition=Q(site__isnull=True),
            ),
            PostgresExclusionConstraint(
                name="afas_role_site_places",
                expressions=[("site", "="), ("role", "="), ("slot", "="), (PERIOD, "&&")],
                condition=Q(site__isnull=False),
            ),
            # A person holds a role on one activity (or site) once at a time, not two of its places.
            PostgresExclusionConstraint(
                name="afas_role_activity_once",
                expressions=[("user", "="), ("activity", "="), ("role", "="), (PERIOD, "&&")],
                condition=Q(site__isnull=True),
            ),
            PostgresExclusionConstraint(
                name="afas_role_site_once",
                expressions=[("user", "="), ("site", "="), ("role", "="), (PERIOD, "&&")],
                condition=Q(site__isnull=False),
            ),
        ]

    def __str__(self):
        where = f"{self.activity} — {self.site}" if self.site_id else str(self.activity)
        return f"{self.get_role_display()} : {self.user} ({where})"

    @property
    def scope_label(self) -> str:
        return f"Lieu d'implantation : {self.site}" if self.site_id else f"Activité : {self.activity}"
