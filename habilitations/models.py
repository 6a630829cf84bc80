"""Caf, users and their credentials. Organisms, conventions, groups and grants come with the habilitations issue."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin

from habilitations.journal import JournalEntry  # noqa: F401  (one journal for the whole portal)
from habilitations.validators import validate_siret


class Caf(models.Model):
    """One of the 101 caisses d'allocations familiales (reference data, loaded by a data migration)."""

    code = models.CharField("code", max_length=3, unique=True)
    nom = models.CharField("nom", max_length=120)
    departement = models.CharField("département", max_length=3, unique=True)
    nom_departement = models.CharField("nom du département", max_length=80)
    email = models.EmailField("adresse de contact", blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    page_locale = models.TextField("page locale", blank=True)
    # "BESOIN D'AIDE ? Le Centre de Services est à votre disposition …" (guide 001): edited by the Caf's agents.
    centre_services_jours = models.CharField(
        "jours d'ouverture du centre de services",
        max_length=120,
        blank=True,
        help_text="Par exemple : du lundi au vendredi",
    )
    centre_services_horaires = models.CharField(
        "horaires du centre de services", max_length=120, blank=True, help_text="Par exemple : de 8 h 30 à 17 h"
    )
    centre_services_telephone = models.CharField("téléphone du centre de services", max_length=20, blank=True)
    centre_services_email = models.EmailField("adresse électronique du centre de services", max_length=254, blank=True)
    # The Caf's postal address and opening hours, printed in the attestation de paiement's header beside "Nous
    # contacter" (webinar 004:672) and on the documents to send back; edited by the Caf's agents.
    adresse_postale = models.TextField(
        "adresse postale",
        blank=True,
        help_text="Sous le nom de la Caf, une ligne par ligne d'adresse (par exemple : Rue Émile Ollivier)",
    )
    # The allocataires' reception, not the partners' centre de services above: printed on the attestation too.
    horaires_accueil = models.CharField(
        "horaires d'accueil",
        max_length=200,
        blank=True,
        help_text="Par exemple : du lundi au vendredi de 8 h 30 à 16 h 30, sur rendez-vous le mercredi",
    )

    class Meta:
        verbose_name = "Caf"
        verbose_name_plural = "Caf"
        ordering = ["code"]

    def __str__(self):
        return self.nom


class CafServiceContact(models.Model):
    """Whom a partner contacts at its Caf about one service (guide 003: "Pôle Partenaires", its e-mail, named agents
    and their phones), shown on that service's pages; edited by the Caf's agents."""

    caf = models.ForeignKey(Caf, verbose_name="Caf", on_delete=models.PROTECT, related_name="service_contacts")
    service = models.ForeignKey("Service", verbose_name="service", on_delete=models.PROTECT)
    pole = models.CharField("pôle", max_length=120, help_text="Par exemple : Pôle Partenaires")
    email = models.EmailField("adresse électronique", max_length=254)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    interlocuteurs = models.TextField(
        "interlocuteurs",
        max_length=1000,
        blank=True,
        help_text="Un par ligne : nom, puis téléphone (exemple : Mélanie Garrigues, 05 65 77 82 18)",
    )

    class Meta:
        verbose_name = "contact de la Caf par service"
        verbose_name_plural = "contacts de la Caf par service"
        ordering = ["caf__code", "service__ordre"]
        constraints = [models.UniqueConstraint(fields=["caf", "service"], name="caf_service_contact_unique")]

    def __str__(self):
        return f"{self.pole} — {self.service}"

    def interlocuteur_lines(self) -> list[tuple[str, str]]:
        """(nom, téléphone) of each line of `interlocuteurs`."""
        lines = []
        for line in self.interlocuteurs.splitlines():
            if line.strip():
                nom, _, telephone = line.partition(",")
                lines.append((nom.strip(), telephone.strip()))
        return lines


class InformationBanner(models.Model):
    """ "Bandeau d'information" (webinar 004: "Fermeture exceptionnelle", "Mise en maintenance …"): published by
    agents, national (no Caf: national agents only) or for the partners of one Caf, shown between its two dates on the
    public pages (national banners) and the logged-in pages (national and the user's Caf)."""

    class Level(models.TextChoices):
        INFO = "INFO", "Information"
        ALERTE = "ALERTE", "Alerte"

    caf = models.ForeignKey(
        Caf, verbose_name="Caf", on_delete=models.PROTECT, null=True, blank=True, help_text="Vide : bandeau national"
    )
    niveau = models.CharField("niveau", max_length=6, choices=Level.choices, default=Level.INFO)
    titre = models.CharField("titre", max_length=120)
    message = models.TextField("message", max_length=600)
    debut = models.DateTimeField("affiché à partir du", default=timezone.now)
    fin = models.DateTimeField("affiché jusqu'au", help_text="Le bandeau disparaît à cette date et heure.")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="publié par", on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("publié le", default=timezone.now)

    class Meta:
        verbose_name = "bandeau d'information"
        verbose_name_plural = "bandeaux d'information"
        ordering = ["-debut"]
        constraints = [models.CheckConstraint(condition=Q(fin__gt=F("debut")), name="banner_fin_after_debut")]
        indexes = [models.Index(fields=["fin", "debut"], name="banner_shown_idx")]

    def __str__(self):
        return self.titre


class AdministratorChangeRequest(models.Model):
    """ "Signaler un changement d'administrateur" (guide 002): the partner tells its Caf who leaves, who comes and
    from when; the Caf's agents treat it (an amendment to the convention, then the new administrator named)."""

    class Statut(models.TextChoices):
        A_TRAITER = "A_TRAITER", "À traiter"
        TRAITEE = "TRAITEE", "Traitée"

    organism = models.ForeignKey(
        "Organism", verbose_name="organisme", on_delete=models.PROTECT, related_name="administrator_change_requests"
    )
    sortant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="administrateur qui part", on_delete=models.PROTECT, related_name="+"
    )
    entrant_nom = models.CharField("nom du nouvel administrateur", max_length=100)
    entrant_prenom = models.CharField("prénom du nouvel administrateur", max_length=100)
    entrant_email = models.EmailField("adresse électronique du nouvel administrateur", max_length=254)
    entrant_telephone = models.CharField("téléphone du nouvel administrateur", max_length=20, blank=True)
    date_effet = models.DateField("à partir du")
    commentaire = models.TextField("commentaire", max_length=1000, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandé par", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("demandé le", default=timezone.now)
    statut = models.CharField("statut", max_length=10, choices=Statut.choices, default=Statut.A_TRAITER)
    treated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="traitée par",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    treated_at = models.DateTimeField("traitée le", null=True, blank=True)

    class Meta:
        verbose_name = "changement d'administrateur"
        verbose_name_plural = "changements d'administrateur"
        ordering = ["statut", "-requested_at"]

    def __str__(self):
        return f"{self.organism} — {self.entrant_prenom} {self.entrant_nom} à partir du {self.date_effet:%d/%m/%Y}"


def is_open_on(obj, day: datetime.date) -> bool:
    """Dated objects are open on `day` when opened on or before it and not yet closed (closing is exclusive)."""
    return obj.date_ouverture <= day and (obj.date_cloture is None or day < obj.date_cloture)


def open_on_q(day: datetime.date, prefix: str = "") -> Q:
    """The queryset filter of `is_open_on`, for the model reached through `prefix` ("group__" …)."""
    return Q(**{f"{prefix}date_ouverture__lte": day}) & (
        Q(**{f"{prefix}date_cloture__isnull": True}) | Q(**{f"{prefix}date_cloture__gt": day})
    )


def cloture_after_ouverture(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(date_cloture__isnull=True) | Q(date_cloture__gte=F("date_ouverture")), name=name
    )


class DatedQuerySet(models.QuerySet):
    def open_on(self, day: datetime.date):
        return self.filter(open_on_q(day))


class Dated(models.Model):
    """Nothing is deleted: objects are closed with a date and their history stays."""

    date_ouverture = models.DateField("date d'ouverture", default=datetime.date.today)
    date_cloture = models.DateField("date de clôture", null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_open_on(self, day: datetime.date) -> bool:
        return is_open_on(self, day)

    @property
    def is_open(self) -> bool:
        return self.is_open_on(timezone.localdate())

    @property
    def statut(self) -> str:
        return "Ouvert" if self.is_open else "Clôturé"


class Service(models.Model):
    """A service of the portal (reference data)."""

    code = models.CharField("code", max_length=20, unique=True)
    libelle = models.CharField("libellé", max_length=100)
    description = models.CharField("description", max_length=250, blank=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)
    supervision = models.BooleanField("service de supervision", default=False)

    class Meta:
        verbose_name = "service"
        verbose_name_plural = "services"
        ordering = ["ordre", "code"]

    def __str__(self):
        return self.libelle


class Profile(models.Model):
    """A profile of a service: the Caf's decision, immutable for the partner (reference data)."""

    service = models.ForeignKey(Service, verbose_name="service", on_delete=models.PROTECT, related_name="profiles")
    code = models.CharField("code", max_length=30, unique=True)
    libelle = models.CharField("libellé", max_length=150)
    controle_supplementaire = models.CharField("contrôle supplémentaire", max_length=20, blank=True)
    # CDAP: the rubrics this profile opens (from data/cdap_profiles.csv); read only through the access layer.
    rubriques = models.JSONField("rubriques ouvertes", default=list, blank=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "profil"
        verbose_name_plural = "profils"
        ordering = ["service__ordre", "ordre", "code"]

    def __str__(self):
        return self.libelle


class PartnerType(models.Model):
    code = models.CharField("code", max_length=20, unique=True)
    libelle = models.CharField("libellé", max_length=150)
    identifiant_prefixe = models.CharField("préfixe des identifiants", max_length=3)
    services_eligibles = models.ManyToManyField(Service, verbose_name="services éligibles", blank=True)
    profils_cdap_legitimes = models.ManyToManyField(Profile, verbose_name="profils CDAP légitimes", blank=True)

    class Meta:
        verbose_name = "type de partenaire"
        verbose_name_plural = "types de partenaires"
        ordering = ["libelle"]

    def __str__(self):
        return self.libelle


MULTI_DEPARTMENT_CAF_CODE = "781"  # Caf des Yvelines: pivot of partners active in several departments


class Organism(models.Model):
    """A partner organism (organisme partenaire): one SIRET, one convention."""

    siret = models.CharField(
        "SIRET",
        max_length=14,
        unique=True,
        validators=[validate_siret],
        error_messages={"unique": "Un organisme avec ce SIRET existe déjà."},
    )
    nom = models.CharField("nom", max_length=200)
    partner_type = models.ForeignKey(PartnerType, verbose_name="type de partenaire", on_delete=models.PROTECT)
    adresse = models.CharField("adresse du siège", max_length=250, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    commune = models.CharField("commune", max_length=100, blank=True)
    departement = models.CharField("département du siège", max_length=3)
    multi_departement = models.BooleanField("actif dans plusieurs départements", default=False)
    caf_pivot = models.ForeignKey(Caf, verbose_name="Caf pivot", on_delete=models.PROTECT, related_name="organisms")
    email = models.EmailField("adresse mail de contact", max_length=320, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        verbose_name = "organisme partenaire"
        verbose_name_plural = "organismes partenaires"
        ordering = ["nom"]

    def __str__(self):
        return self.nom

    def pivot_caf(self) -> Caf:
        """The Caf of the head office's department; the Caf des Yvelines for a multi-department partner."""
        if self.multi_departement:
            return Caf.objects.get(code=MULTI_DEPARTMENT_CAF_CODE)
        return Caf.objects.get(departement=self.departement)


class Convention(Dated):
    """The single access convention of an organism, for all services (webinar 004)."""

    class Etat(models.TextChoices):
        EN_ATTENTE = "EN_ATTENTE", "En attente de validation"
        VALABLE = "VALABLE", "Valable"
        SUSPENDUE = "SUSPENDUE", "Suspendue"
        DENONCEE = "DENONCEE", "Dénoncée"

    organism = models.OneToOneField(
        Organism, verbose_name="organisme", on_delete=models.PROTECT, related_name="convention"
    )
    libelle = models.CharField("libellé", max_length=200)
    caf_pivot = models.ForeignKey(Caf, verbose_name="Caf pivot", on_delete=models.PROTECT, related_name="conventions")
    etat = models.CharField("état", max_length=12, choices=Etat.choices, default=Etat.EN_ATTENTE)
    date_validation = models.DateField("validée le", null=True, blank=True)
    profiles = models.ManyToManyField(Profile, through="ConventionProfile", verbose_name="profils", blank=True)

    class Meta:
        verbose_name = "convention"
        verbose_name_plural = "conventions"
        ordering = ["libelle"]
        constraints = [
            cloture_after_ouverture("convention_cloture_after_ouverture"),
            models.CheckConstraint(
                condition=~Q(etat="VALABLE") | Q(date_validation__isnull=False), name="convention_valable_has_date"
            ),
        ]

    def __str__(self):
        return self.libelle

    @property
    def etat_display(self) -> str:
        if self.etat == self.Etat.VALABLE and self.date_validation:
            return f"Validée le {self.date_validation:%d/%m/%Y}"
        return self.get_etat_display()

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.etat == self.Etat.VALABLE and self.is_open_on(day)


class ConventionDocument(models.Model):
    class Kind(models.TextChoices):
        CONVENTION = "CONVENTION", "Convention d'accès signée"
        CONTRAT_SERVICE = "CONTRAT_SERVICE", "Contrat de service"
        BULLETIN_ADHESION = "BULLETIN_ADHESION", "Bulletin d'adhésion"
        BULLETIN_ELIGIBILITE = "BULLETIN_ELIGIBILITE", "Bulletin d'éligibilité"

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("document", max_length=24, choices=Kind.choices)
    service = models.ForeignKey(Service, verbose_name="service", on_delete=models.PROTECT, null=True, blank=True)
    date_reception = models.DateField("reçu le")

    class Meta:
        verbose_name = "document de conventionnement"
        verbose_name_plural = "documents de conventionnement"
        ordering = ["kind", "service__ordre"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "kind", "service"],
                condition=Q(service__isnull=False),
                name="convention_document_unique",
            ),
            models.UniqueConstraint(
                fields=["convention", "kind"],
                condition=Q(service__isnull=True),
                name="convention_document_unique_no_service",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}{f' — {self.service}' if self.service_id else ''}"


class ConventionProfile(Dated):
    """A (service, profile) the Caf granted to the convention. Closing it stops every grant using it at once."""

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="convention_profiles")
    profile = models.ForeignKey(Profile, verbose_name="profil", on_delete=models.PROTECT)

    class Meta:
        verbose_name = "profil de la convention"
        verbose_name_plural = "profils de la convention"
        ordering = ["profile__service__ordre", "profile__ordre"]
        constraints = [cloture_after_ouverture("convention_profile_cloture_after_ouverture")]

    def __str__(self):
        return f"{self.profile.service.libelle} — {self.profile.libelle}"


class UserManager(BaseUserManager):
    def get_by_natural_key(self, username):
        return self.get(identifiant=(username or "").upper())

    def create_user(self, identifiant, password=None, **extra):
        user = self.model(identifiant=identifiant.upper(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, identifiant, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(identifiant, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: partner user, partner administrator, landlord or Caf agent.

    Users are never deleted: they are closed with a date de clôture and their history stays.
    """

    class Poste(models.TextChoices):
        SEDENTAIRE = "SEDENTAIRE", "Sédentaire (possède un poste fixe)"
        ITINERANT = "ITINERANT", "Itinérant (poste de travail variable)"

    identifiant = models.CharField("identifiant", max_length=10, unique=True)
    nom = models.CharField("nom", max_length=100)
    prenom = models.CharField("prénom", max_length=100)
    email = models.EmailField("adresse mail", max_length=320)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    poste = models.CharField("poste", max_length=12, choices=Poste.choices, default=Poste.SEDENTAIRE)
    caf = models.ForeignKey(Caf, verbose_name="Caf", on_delete=models.PROTECT, null=True, blank=True)
    organism = models.ForeignKey(
        Organism, verbose_name="organisme", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    date_ouverture = models.DateField("date d'ouverture", default=datetime.date.today)
    date_cloture = models.DateField("date de clôture", null=True, blank=True)
    is_staff = models.BooleanField("agent Caf", default=False, help_text="Accède à l'administration Caf.")
    is_active = models.BooleanField("actif", default=True)
    is_partner_admin = models.BooleanField(
        "administrateur partenaire", default=False, help_text="Impose le second facteur d'authentification."
    )
    provisional_password_expires_at = models.DateTimeField(
        "fin de validité du mot de passe provisoire", null=True, blank=True
    )
    password_changed_at = models.DateTimeField("mot de passe changé le", null=True, blank=True)
    previous_login = models.DateTimeField("connexion précédente", null=True, blank=True)
    date_joined = models.DateTimeField("créé le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "identifiant"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["nom", "prenom", "email"]

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["nom", "prenom"]
        constraints = [
            models.CheckConstraint(condition=Q(identifiant=Upper("identifiant")), name="user_identifiant_uppercase"),
            models.CheckConstraint(
                condition=Q(date_cloture__isnull=True) | Q(date_cloture__gte=F("date_ouverture")),
                name="user_cloture_after_ouverture",
            ),
        ]
        indexes = [
            models.Index(Upper("email"), name="user_email_upper_idx"),
            # "Liste des utilisateurs": an organism's users in the list's order, so deep pages need no full sort.
            models.Index(fields=["organism", "nom", "prenom", "id"], name="user_organism_list_idx"),
        ]

    def __str__(self):
        return f"{self.nom.upper()} {self.prenom} ({self.identifiant})"

    def get_full_name(self):
        return f"{self.nom.upper()} {self.prenom}"

    def get_short_name(self):
        return self.prenom

    def is_open_on(self, day: datetime.date) -> bool:
        """Open on `day`: opened on or before it and not closed yet (a closing date is exclusive)."""
        return is_open_on(self, day)

    @property
    def is_open(self) -> bool:
        return self.is_active and self.is_open_on(timezone.localdate())

    @property
    def statut(self) -> str:
        return "Ouvert" if self.is_open else "Clôturé"

    @property
    def has_provisional_password(self) -> bool:
        return self.provisional_password_expires_at is not None

    def provisional_password_expired(self, now=None) -> bool:
        now = now or timezone.now()
        return self.has_provisional_password and now > self.provisional_password_expires_at

    @property
    def requires_otp(self) -> bool:
        """Caf agents and partner administrators must use a second factor (a setting extends it to all)."""
        return self.is_staff or self.is_partner_admin or settings.OTP_REQUIRED_FOR_ALL


class IssuedIdentifiant(models.Model):
    """Every identifiant ever issued: an identifiant is never reused, even if its account disappeared."""

    value = models.CharField("identifiant", max_length=10, unique=True)
    issued_at = models.DateTimeField("attribué le", default=timezone.now)

    class Meta:
        verbose_name = "identifiant attribué"
        verbose_name_plural = "identifiants attribués"

    def __str__(self):
        return self.value


class PasswordHistory(models.Model):
    """Hashes of a user's previous passwords, for the "not one of the last 5" rule."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "ancien mot de passe"
        verbose_name_plural = "anciens mots de passe"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%d/%m/%Y}"


def hash_backup_code(code: str) -> str:
    """Backup codes carry 100 random bits, so a fast hash cannot be brute-forced; normalise before hashing."""
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


class BackupCodeDevice(ThrottlingMixin, Device):
    """Single-use recovery codes for the second factor, stored hashed."""

    CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    CODE_LENGTH = 20
    CODES_PER_DEVICE = 10

    class Meta(Device.Meta):
        verbose_name = "codes de secours"
        verbose_name_plural = "codes de secours"

    def get_throttle_factor(self):
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    def generate_codes(self) -> list[str]:
        """Replace the codes; return the clear values once, to be shown to the user and never stored."""
        self.codes.all().delete()
        clear = []
        for _ in range(self.CODES_PER_DEVICE):
            raw = "".join(secrets.choice(self.CODE_ALPHABET) for _ in range(self.CODE_LENGTH))
            clear.append("-".join(raw[i : i + 5] for i in range(0, len(raw), 5)))
        BackupCode.objects.bulk_create([BackupCode(device=self, code_hash=hash_backup_code(c)) for c in clear])
        return clear

    def verify_token(self, token):
        verify_allowed, _ = self.verify_is_allowed()
        if not verify_allowed:
            return False
        used = BackupCode.objects.filter(
            device=self, code_hash=hash_backup_code(str(token)), used_at__isnull=True
        ).update(used_at=timezone.now())
        if used == 1:
            self.throttle_reset()
            return True
        self.throttle_increment()
        return False


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "code de secours"
        verbose_name_plural = "codes de secours"
        constraints = [models.UniqueConstraint(fields=["device", "code_hash"], name="backup_code_unique")]

    def __str__(self):
        return f"code de secours n° {self.pk}"


class OrganismAdministrator(Dated):
    """An administrator of an organism: at most two open at any date (one principal, one suppléant)."""

    class Role(models.TextChoices):
        PRINCIPAL = "PRINCIPAL", "Administrateur principal"
        SUPPLEANT = "SUPPLEANT", "Administrateur suppléant"

    organism = models.ForeignKey(Organism, on_delete=models.PROTECT, related_name="administrators")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="administrator_roles")
    role = models.CharField("rôle", max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = "administrateur partenaire"
        verbose_name_plural = "administrateurs partenaires"
        ordering = ["organism", "role", "-date_ouverture"]
        constraints = [cloture_after_ouverture("administrator_cloture_after_ouverture")]
        # PostgreSQL: an exclusion constraint (migration 0005) forbids two overlapping periods of the same role.

    def __str__(self):
        return f"{self.get_role_display()} de {self.organism} : {self.user.get_full_name()}"


class UserGroup(Dated):
    """A group of users (groupe utilisateurs). The group is habilitated; its members use its grants."""

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="groups")
    code = models.CharField("code", max_length=20)
    libelle = models.CharField("libellé", max_length=100)
    niveau = models.PositiveSmallIntegerField("niveau", default=1)
    parent = models.ForeignKey(
        "self", verbose_name="sous-groupe de", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    responsable = models.ForeignKey(
        User, verbose_name="responsable habilitations", on_delete=models.PROTECT, related_name="groups_responsible"
    )
    members = models.ManyToManyField(
        User, through="Membership", through_fields=("group", "user"), related_name="user_groups", blank=True
    )

    class Meta:
        verbose_name = "groupe utilisateurs"
        verbose_name_plural = "groupes utilisateurs"
        ordering = ["code"]
        constraints = [
            cloture_after_ouverture("group_cloture_after_ouverture"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="group_not_its_own_parent"),
            models.CheckConstraint(condition=Q(niveau__gte=1), name="group_niveau_positive"),
        ]
        # PostgreSQL (migration 0005): code unique among the convention's groups open at the same time.

    def __str__(self):
        return f"{self.code} - {self.libelle}"


class GroupGrant(Dated):
    """A habilitation of a group: one of its convention's profiles."""

    group = models.ForeignKey(UserGroup, on_delete=models.PROTECT, related_name="grants")
    convention_profile = models.ForeignKey(ConventionProfile, verbose_name="profil", on_delete=models.PROTECT)

    class Meta:
        verbose_name = "habilitation du groupe"
        verbose_name_plural = "habilitations du groupe"
        constraints = [cloture_after_ouverture("grant_cloture_after_ouverture")]

    def __str__(self):
        return f"{self.group.code} : {self.convention_profile}"


class Membership(Dated):
    """A user's membership of a group (appartenance), dated; closing it keeps the history."""

    user = models.ForeignKey(User, verbose_name="utilisateur", on_delete=models.PROTECT, related_name="memberships")
    group = models.ForeignKey(UserGroup, verbose_name="groupe", on_delete=models.PROTECT, related_name="memberships")
    # Guide 000: adding a user to a group holding a CDAP profile, the manager attests the user holds the
    # qualification the profile requires (the profiles' codes, who and when; the journal row says so too).
    qualification_profils = models.CharField("qualification attestée pour les profils", max_length=200, blank=True)
    qualification_attestee_par = models.ForeignKey(
        User,
        verbose_name="qualification attestée par",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    qualification_attestee_le = models.DateTimeField("qualification attestée le", null=True, blank=True)

    class Meta:
        verbose_name = "appartenance"
        verbose_name_plural = "appartenances"
        ordering = ["-date_ouverture"]
        constraints = [cloture_after_ouverture("membership_cloture_after_ouverture")]
        indexes = [models.Index(fields=["user", "group"], name="membership_user_group_idx")]
        # PostgreSQL (migration 0005): no overlapping periods for the same user and group.

    def __str__(self):
        return f"{self.user} dans {self.group}"
