"""The Caf's beneficiary files (dossiers allocataires), read-only for partners.

Partners never write here: the data comes from the Caf (import_dossiers) or the demo generator. Every read by a
partner goes through cdap.selectors, which applies the profile's rubric mask in one place.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from cdap.wording import activity_for
from habilitations.models import Caf, Organism


class Dossier(models.Model):
    caf = models.ForeignKey(Caf, verbose_name="Caf", on_delete=models.PROTECT, related_name="dossiers")
    numero = models.CharField("numéro allocataire", max_length=7)
    situation = models.CharField("situation du dossier", max_length=40, default="Affiliation")
    adresse = models.CharField("adresse", max_length=200, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    commune = models.CharField("commune", max_length=100, blank=True)
    code_commune = models.CharField("code commune", max_length=5, blank=True)
    situation_familiale = models.CharField("situation familiale", max_length=20, blank=True)
    date_situation_familiale = models.DateField("depuis le", null=True, blank=True)
    nb_enfants_pf = models.PositiveSmallIntegerField("enfants à charge (prestations familiales)", default=0)
    nb_personnes_al = models.PositiveSmallIntegerField("personnes à charge (aide au logement)", default=0)
    # Empty when the Caf does not know it: "Donnée indisponible" on the screens and the attestation, never "0 €".
    quotient_familial = models.PositiveIntegerField("QF CNAF (€ par mois)", null=True, blank=True)
    surendettement = models.BooleanField("surendettement", default=False)

    class Meta:
        verbose_name = "dossier allocataire"
        verbose_name_plural = "dossiers allocataires"
        constraints = [models.UniqueConstraint(fields=["caf", "numero"], name="dossier_caf_numero_unique")]

    def __str__(self):
        return f"{self.caf.code} {self.numero}"


class Person(models.Model):
    class Role(models.TextChoices):
        RESPONSABLE = "RESPONSABLE", "Responsable du dossier"
        CONJOINT = "CONJOINT", "Conjoint"
        ENFANT = "ENFANT", "Enfant"
        AUTRE = "AUTRE", "Autre personne à charge"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField("rôle", max_length=12, choices=Role.choices)
    civilite = models.CharField("civilité", max_length=10, blank=True)
    nom = models.CharField("nom", max_length=100)
    prenom = models.CharField("prénom", max_length=100)
    # Upper case, without accents: the search compares the typed name to this (accent- and case-insensitive).
    nom_recherche = models.CharField("nom normalisé", max_length=100, db_index=True)
    date_naissance = models.DateField("date de naissance", null=True, blank=True)
    nationalite = models.CharField("nationalité", max_length=20, blank=True)
    fin_titre_sejour = models.DateField("fin du titre de séjour", null=True, blank=True)
    activite = models.CharField("activité", max_length=40, blank=True)
    date_activite = models.DateField("depuis le", null=True, blank=True)
    a_charge = models.BooleanField("à charge", default=True)
    placement = models.BooleanField("placé", default=False)
    liens_affectifs = models.BooleanField("liens affectifs maintenus", default=False)
    # A child for whom the AEEH is paid: listed by the rubric "Données complémentaires" (webinar 004:640).
    aeeh = models.BooleanField("bénéficiaire de l'AEEH", default=False)

    class Meta:
        verbose_name = "personne"
        verbose_name_plural = "personnes"
        indexes = [models.Index(fields=["dossier", "role"], name="person_dossier_role_idx")]

    def __str__(self):
        return f"{self.nom} {self.prenom}"

    @property
    def activite_accordee(self) -> str:
        """The activity agreed with the civility ("Mme" → "Salariée"), as the rubrics show it."""
        return activity_for(self.activite, self.civilite)


class Payment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="payments")
    periode = models.DateField("période (mois)")
    date_emission = models.DateField("émis le")
    type_traitement = models.CharField("type de traitement", max_length=40)
    montant_total = models.DecimalField("montant total", max_digits=9, decimal_places=2)
    retenue = models.DecimalField("montant de la retenue", max_digits=9, decimal_places=2, default=0)
    montant_paye = models.DecimalField("montant payé", max_digits=9, decimal_places=2)
    destinataire = models.CharField("destinataire", max_length=40, default="Allocataire")

    class Meta:
        verbose_name = "paiement"
        verbose_name_plural = "paiements"
        indexes = [models.Index(fields=["dossier", "-date_emission"], name="payment_dossier_date_idx")]

    def __str__(self):
        return f"{self.type_traitement} {self.date_emission:%d/%m/%Y}"


class PaymentLine(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="lines")
    prestation = models.CharField("prestation", max_length=60)
    montant = models.DecimalField("montant", max_digits=9, decimal_places=2)

    class Meta:
        verbose_name = "ventilation du paiement"
        verbose_name_plural = "ventilations des paiements"

    def __str__(self):
        return f"{self.prestation} {self.montant}"


class Right(models.Model):
    """A benefit right for one month (droits): amount, below the payment threshold, suspended."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="rights")
    mois = models.DateField("mois")
    prestation = models.CharField("prestation", max_length=20)
    # The adult a personal benefit is for ("Allocation aux adultes handicapés Madame", webinar 004:533): the role of
    # that person in the dossier; empty for a benefit of the household.
    beneficiaire = models.CharField(
        "bénéficiaire",
        max_length=12,
        blank=True,
        choices=[("RESPONSABLE", "Responsable du dossier"), ("CONJOINT", "Conjoint")],
    )
    montant = models.DecimalField("montant", max_digits=9, decimal_places=2)
    sous_seuil = models.BooleanField("montant inférieur au seuil de versement", default=False)
    suspendu = models.BooleanField("suspendu", default=False)

    class Meta:
        verbose_name = "droit"
        verbose_name_plural = "droits"
        indexes = [models.Index(fields=["dossier", "mois"], name="right_dossier_mois_idx")]

    def __str__(self):
        return f"{self.prestation} {self.mois:%m/%Y}"


class Resource(models.Model):
    """Annual resources per person and nature (year N-2), or monthly resources used for housing aid."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="resources")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True)
    annee = models.PositiveSmallIntegerField("année", null=True, blank=True)
    mois = models.DateField("mois (ressources mensuelles)", null=True, blank=True)
    nature = models.CharField("nature", max_length=80)
    montant = models.DecimalField("montant", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "ressource"
        verbose_name_plural = "ressources"

    def __str__(self):
        return f"{self.nature} {self.montant}"


class RsaPeriod(models.Model):
    """An RSA right period; the numéro d'instructeur of the service that instructed the file (T4)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="rsa_periods")
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin", null=True, blank=True)
    orientation = models.CharField("orientation", max_length=60, blank=True)
    numero_instructeur = models.CharField("numéro d'instructeur", max_length=14, blank=True, db_index=True)

    class Meta:
        verbose_name = "période de RSA"
        verbose_name_plural = "périodes de RSA"

    def __str__(self):
        return f"RSA depuis le {self.date_debut:%d/%m/%Y}"


class Housing(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="housings")
    type_occupation = models.CharField("type d'occupation", max_length=40)
    date_debut_occupation = models.DateField("début d'occupation", null=True, blank=True)
    date_debut_droit = models.DateField("début de droit", null=True, blank=True)
    date_debut_bail = models.DateField("début du bail", null=True, blank=True)
    loyer = models.DecimalField("loyer", max_digits=9, decimal_places=2, null=True, blank=True)
    date_loyer = models.DateField("loyer connu au", null=True, blank=True)
    # Unknown for a housing the Caf has no size for: "aucune donnée disponible" (webinar 004:627).
    surpeuplement = models.BooleanField("surpeuplement", null=True, blank=True, default=None)
    quittance_presente = models.BooleanField("quittance présente", default=False)
    numero_bailleur = models.CharField("numéro de bailleur", max_length=20, blank=True, db_index=True)
    nom_bailleur = models.CharField("bailleur", max_length=200, blank=True)
    bailleur_organism = models.ForeignKey(
        Organism, verbose_name="organisme bailleur", on_delete=models.PROTECT, null=True, blank=True
    )
    actuel = models.BooleanField("logement actuel", default=True)

    class Meta:
        verbose_name = "logement"
        verbose_name_plural = "logements"

    def __str__(self):
        return self.type_occupation


class Debt(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="debts")
    nature = models.CharField("nature", max_length=80)
    montant = models.DecimalField("montant", max_digits=9, decimal_places=2)
    reste_du = models.DecimalField("reste dû", max_digits=9, decimal_places=2)
    plan = models.CharField("plan de remboursement", max_length=120, blank=True)

    class Meta:
        verbose_name = "créance"
        verbose_name_plural = "créances"

    def __str__(self):
        return self.nature


class Letter(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="letters")
    date_reception = models.DateField("reçu le")
    objet = models.CharField("objet", max_length=200)
    etat = models.CharField("état", max_length=120, blank=True)

    class Meta:
        verbose_name = "courrier"
        verbose_name_plural = "courriers"

    def __str__(self):
        return self.objet


class HealthCoverage(models.Model):
    """CMU / CMUC / RSA (rubric "CMU CMUC RSA") and the resources considered for the CMUC ("CMUC ressources")."""

    class Kind(models.TextChoices):
        CMU = "CMU", "CMU"
        CMUC = "CMUC", "CMU complémentaire"
        RSA = "RSA", "RSA"
        CMUC_RESSOURCES = "CMUC_RESSOURCES", "Ressources CMUC"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="health_coverages")
    kind = models.CharField("type", max_length=16, choices=Kind.choices)
    date_debut = models.DateField("début", null=True, blank=True)
    date_fin = models.DateField("fin", null=True, blank=True)
    libelle = models.CharField("libellé", max_length=120, blank=True)
    montant = models.DecimalField("montant", max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = "couverture santé"
        verbose_name_plural = "couvertures santé"

    def __str__(self):
        return self.get_kind_display()


class ComplementaryData(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="complementary_data")
    nature = models.CharField("nature", max_length=80)
    detail = models.CharField("détail", max_length=200, blank=True)

    class Meta:
        verbose_name = "donnée complémentaire"
        verbose_name_plural = "données complémentaires"

    def __str__(self):
        return self.nature


class ProtectionMeasure(models.Model):
    """A protection measure (tutelle, curatelle…) held by an organism (MJPM) on the dossier: T9's control."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="protection_measures")
    organism = models.ForeignKey(Organism, verbose_name="organisme", on_delete=models.PROTECT)
    mesure = models.CharField("mesure", max_length=60, default="Tutelle")
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin", null=True, blank=True)

    class Meta:
        verbose_name = "mesure de protection"
        verbose_name_plural = "mesures de protection"

    def __str__(self):
        return f"{self.mesure} ({self.organism})"


class Consultation(models.Model):
    """An opaque reference to a dossier found by one user's search, with the profile chosen for it.

    Dossier pages are reached by this reference only, never by the numéro allocataire or a name in the URL; it
    answers 404 to anybody else and after it expires.
    """

    reference = models.UUIDField("référence", default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="consultations")
    profile_code = models.CharField("profil", max_length=30)
    organism = models.ForeignKey(Organism, on_delete=models.PROTECT)
    created_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "consultation"
        verbose_name_plural = "consultations"

    def __str__(self):
        return str(self.reference)


class PostalRequest(models.Model):
    """ "Envoyer par courrier": an attestation de paiement the Caf posts to the allocataire."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT)
    periode = models.DateField("mois de l'attestation")
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "demande d'envoi d'attestation"
        verbose_name_plural = "demandes d'envoi d'attestation"

    def __str__(self):
        return f"Attestation {self.periode:%m/%Y}"


class DialogueMessage(models.Model):
    """ "Échanger avec la Caf pour le dossier consulté".

    The sender is what the portal knows, not what was typed: the authenticated account (`user`), the organism it
    writes for (`organism`: the consultation's, or the organism of its CDAP habilitation from the search page) and the
    consultation it came from (the dossier page where Dialogue was clicked; empty from the search page). The form's
    "Nom de votre organisme", "Vos nom et prénom" and address are kept as declared: the Caf sees both, and answers
    to the declared address. The numéro allocataire, when given, is that of a dossier the sender consulted
    (cdap.services.dialogue_send)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="expéditeur authentifié", on_delete=models.PROTECT)
    # Empty only on messages stored before the organism was recorded, when neither their consultation nor their
    # account named one (migration 0002).
    organism = models.ForeignKey(
        Organism, verbose_name="organisme réel", on_delete=models.PROTECT, null=True, blank=True
    )
    caf = models.ForeignKey(Caf, on_delete=models.PROTECT)
    consultation = models.ForeignKey(
        Consultation, verbose_name="consultation d'origine", on_delete=models.PROTECT, null=True, blank=True
    )
    organisme_declare = models.CharField("organisme déclaré", max_length=200)
    nom_prenom_declare = models.CharField("nom et prénom déclarés", max_length=200)
    email_declare = models.EmailField("adresse électronique déclarée", max_length=320)
    numero_allocataire = models.CharField("numéro allocataire", max_length=7, blank=True)
    objet = models.CharField("objet", max_length=200)
    message = models.TextField("message", max_length=5000)
    created_at = models.DateTimeField("envoyé le", auto_now_add=True)

    class Meta:
        verbose_name = "message Dialogue"
        verbose_name_plural = "messages Dialogue"

    def __str__(self):
        return self.objet

    def sender(self) -> str:
        """The authenticated sender: "identifiant, nom prénom"."""
        return f"{self.user.identifiant}, {self.user.nom} {self.user.prenom}"

    def origin(self) -> str:
        """Where the sender clicked Dialogue: "consultation du 12/03/2025 à 10:42 (profil T1-ASS)" or the search
        page."""
        if self.consultation is None:
            return "page de recherche, sans dossier consulté"
        created = timezone.localtime(self.consultation.created_at)
        return f"consultation du {created:%d/%m/%Y à %H:%M} (profil {self.consultation.profile_code})"
