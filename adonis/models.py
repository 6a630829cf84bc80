"""ADONIS (adonis.md): a SAAD's look-ups of a family (an opaque reference to the dossier found), its requests for
home help (demandes d'aide à domicile) with their decision, and the Caf's participation scale (barème).

The dossier is the Caf's (cdap.Dossier, named by string: ADONIS reads it through cdap.selectors only). The rules of a
decision hold in PostgreSQL too: an accepted request has its planned hours (1 to 2 000), its dates in order and no
refusal motive; a refused one its motive (with a text for « Autre ») and no plan; a bracket of the scale does not
overlap another of the same Caf (exclusion constraint, PostgreSQL only: the service checks it under a lock too).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import IntegerRangeField
from django.db import models
from django.db.models import F, Func, Q, Value

from core.constraints import PostgresExclusionConstraint
from habilitations.models import Caf, Organism

SERVICE = "ADONIS"
HOURS_MIN = Decimal("0.5")
HOURS_MAX = Decimal("2000")
QF_MAX = 100_000  # € per month: far above any family's quotient familial, a bound for a typing error


class IntegerRange(Func):
    """`int4range(low, high, bounds)` of PostgreSQL."""

    function = "int4range"
    output_field = IntegerRangeField()


class FamilyLookup(models.Model):
    """An opaque reference to a dossier found by one user's « Rechercher un dossier » (the CDAP search's rules):
    the family's page and a new request are reached by it only, never by a numéro allocataire in the URL."""

    reference = models.UUIDField("référence", default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="adonis_lookups")
    organism = models.ForeignKey(Organism, verbose_name="SAAD", on_delete=models.PROTECT, related_name="+")
    dossier = models.ForeignKey("cdap.Dossier", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "recherche de dossier (Adonis)"
        verbose_name_plural = "recherches de dossier (Adonis)"

    def __str__(self):
        return str(self.reference)


class Motif(models.TextChoices):
    """Motif d'intervention (adonis.md)."""

    GROSSESSE = "GROSSESSE", "Grossesse"
    NAISSANCE = "NAISSANCE", "Naissance ou adoption"
    MALADIE = "MALADIE", "Maladie ou hospitalisation d'un parent"
    DECES = "DECES", "Décès d'un parent ou d'un enfant"
    SEPARATION = "SEPARATION", "Séparation"
    FAMILLE_NOMBREUSE = "FAMILLE_NOMBREUSE", "Famille nombreuse"
    HANDICAP = "HANDICAP", "Handicap d'un membre de la famille"
    PARENTALITE = "PARENTALITE", "Soutien à la parentalité"
    INSERTION = "INSERTION", "Insertion"


class Intervenant(models.TextChoices):
    TISF = "TISF", "TISF — technicien de l'intervention sociale et familiale"
    AES = "AES", "AES/AVS — accompagnant éducatif et social"


class Niveau(models.TextChoices):
    NIVEAU_1 = "1", "Niveau 1"
    NIVEAU_2 = "2", "Niveau 2"
    NIVEAU_3 = "3", "Niveau 3"


class MotifRefus(models.TextChoices):
    HORS_CRITERES = "HORS_CRITERES", "Hors critères"
    PERSONNEL = "PERSONNEL", "Personnel indisponible"
    REFUS_FAMILLE = "REFUS_FAMILLE", "Refus de la famille"
    INCOMPLET = "INCOMPLET", "Dossier incomplet"
    AUTRE = "AUTRE", "Autre"


class Etat(models.TextChoices):
    DEMANDEE = "DEMANDEE", "Demandée"
    ACCEPTEE = "ACCEPTEE", "Acceptée"
    REFUSEE = "REFUSEE", "Refusée"
    EN_COURS = "EN_COURS", "En cours"
    CLOTUREE = "CLOTUREE", "Clôturée"


DECIDED = (Etat.ACCEPTEE, Etat.EN_COURS, Etat.CLOTUREE)  # the states of an accepted request


class HomeHelpRequest(models.Model):
    """Une demande d'aide à domicile of a family to a SAAD, and its decision."""

    STATE_TRANSITIONS = {
        Etat.DEMANDEE: {Etat.ACCEPTEE, Etat.REFUSEE},
        Etat.ACCEPTEE: {Etat.EN_COURS},
        Etat.EN_COURS: {Etat.CLOTUREE},
    }

    organism = models.ForeignKey(
        Organism, verbose_name="SAAD", on_delete=models.PROTECT, related_name="adonis_requests"
    )
    caf = models.ForeignKey(Caf, verbose_name="Caf", on_delete=models.PROTECT, related_name="adonis_requests")
    dossier = models.ForeignKey("cdap.Dossier", verbose_name="dossier allocataire", on_delete=models.PROTECT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="saisie par", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("saisie le", auto_now_add=True)
    date_demande = models.DateField("date de la demande")
    motif = models.CharField("motif d'intervention", max_length=20, choices=Motif.choices)
    type_intervenant = models.CharField("type d'intervenant", max_length=4, choices=Intervenant.choices)
    etat = models.CharField("état", max_length=10, choices=Etat.choices, default=Etat.DEMANDEE)
    # The decision: accepted…
    heures_prevues = models.DecimalField("heures prévues", max_digits=6, decimal_places=1, null=True, blank=True)
    niveau = models.CharField("niveau d'intervention", max_length=1, choices=Niveau.choices, blank=True)
    date_debut = models.DateField("date de début", null=True, blank=True)
    date_fin = models.DateField("date de fin", null=True, blank=True)
    quotient_familial = models.PositiveIntegerField("quotient familial retenu (€)", null=True, blank=True)
    taux_horaire = models.DecimalField(
        "participation horaire de la famille (€)", max_digits=7, decimal_places=2, null=True, blank=True
    )
    participation = models.DecimalField(
        "participation de la famille (€)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    # … or refused.
    motif_refus = models.CharField("motif de refus", max_length=14, choices=MotifRefus.choices, blank=True)
    motif_refus_autre = models.CharField("précisez le motif", max_length=300, blank=True)

    class Meta:
        verbose_name = "demande d'aide à domicile"
        verbose_name_plural = "demandes d'aide à domicile"
        ordering = ["-date_demande", "-id"]
        indexes = [models.Index(fields=["organism", "-date_demande", "-id"], name="adonis_request_list_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(etat__in=DECIDED)
                | Q(
                    heures_prevues__gte=HOURS_MIN,
                    heures_prevues__lte=HOURS_MAX,
                    date_debut__isnull=False,
                    date_fin__isnull=False,
                    date_fin__gte=F("date_debut"),
                    motif_refus="",
                )
                & ~Q(niveau=""),
                name="adonis_request_accepted_has_plan",
            ),
            models.CheckConstraint(
                condition=~Q(etat=Etat.REFUSEE)
                | (
                    ~Q(motif_refus="")
                    & Q(heures_prevues__isnull=True, date_debut__isnull=True, participation__isnull=True)
                    & (~Q(motif_refus=MotifRefus.AUTRE) | ~Q(motif_refus_autre=""))
                ),
                name="adonis_request_refused_has_motive",
            ),
            models.CheckConstraint(
                condition=~Q(etat=Etat.DEMANDEE)
                | Q(heures_prevues__isnull=True, motif_refus="", participation__isnull=True),
                name="adonis_request_pending_undecided",
            ),
            models.CheckConstraint(
                condition=Q(participation__isnull=True) | Q(participation__gte=0), name="adonis_participation_positive"
            ),
        ]

    def __str__(self):
        return f"Demande n° {self.pk} du {self.date_demande:%d/%m/%Y}"


class ParticipationBracket(models.Model):
    """One bracket of a Caf's participation scale: a family whose quotient familial is between `qf_min` and `qf_max`
    (both included; no `qf_max`: and above) pays `taux_horaire` € per planned hour. Edited by the Caf's agents in the
    admin; the demo's values are examples (`exemple`), said so wherever they are shown."""

    caf = models.ForeignKey(Caf, verbose_name="Caf", on_delete=models.PROTECT, related_name="adonis_brackets")
    qf_min = models.PositiveIntegerField("QF de (€)")
    qf_max = models.PositiveIntegerField("QF jusqu'à (€, inclus)", null=True, blank=True)
    taux_horaire = models.DecimalField("participation horaire de la famille (€)", max_digits=7, decimal_places=2)
    exemple = models.BooleanField(
        "valeur d'exemple",
        default=False,
        help_text="Cochée pour les valeurs de démonstration : à remplacer par le barème de votre Caf.",
    )

    class Meta:
        verbose_name = "tranche du barème de participation (Adonis)"
        verbose_name_plural = "barème de participation des familles (Adonis)"
        ordering = ["caf", "qf_min"]
        constraints = [
            models.CheckConstraint(
                condition=Q(qf_max__isnull=True) | Q(qf_max__gte=F("qf_min")), name="adonis_bracket_max_after_min"
            ),
            models.CheckConstraint(
                condition=Q(qf_min__lte=QF_MAX) & (Q(qf_max__isnull=True) | Q(qf_max__lte=QF_MAX)),
                name="adonis_bracket_qf_bounded",
            ),
            models.CheckConstraint(
                condition=Q(taux_horaire__gte=0) & Q(taux_horaire__lte=1000), name="adonis_bracket_taux_bounded"
            ),
            PostgresExclusionConstraint(
                name="adonis_bracket_no_overlap",
                expressions=[
                    ("caf", "="),
                    (IntegerRange("qf_min", "qf_max", Value("[]")), "&&"),
                ],
            ),
        ]

    def __str__(self):
        upper = f"{self.qf_max} €" if self.qf_max is not None else "et plus"
        return f"QF {self.qf_min} € – {upper} : {self.taux_horaire} €/h"
