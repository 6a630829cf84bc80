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


class Caf(models.Model):
    """One of the 101 caisses d'allocations familiales (reference data, loaded by a data migration)."""

    code = models.CharField("code", max_length=3, unique=True)
    nom = models.CharField("nom", max_length=120)
    departement = models.CharField("département", max_length=3, unique=True)
    nom_departement = models.CharField("nom du département", max_length=80)
    email = models.EmailField("adresse de contact", blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    page_locale = models.TextField("page locale", blank=True)

    class Meta:
        verbose_name = "Caf"
        verbose_name_plural = "Caf"
        ordering = ["code"]

    def __str__(self):
        return self.nom


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
        indexes = [models.Index(Upper("email"), name="user_email_upper_idx")]

    def __str__(self):
        return f"{self.nom.upper()} {self.prenom} ({self.identifiant})"

    def get_full_name(self):
        return f"{self.nom.upper()} {self.prenom}"

    def get_short_name(self):
        return self.prenom

    def is_open_on(self, day: datetime.date) -> bool:
        """Open on `day`: opened on or before it and not closed yet (a closing date is exclusive)."""
        return self.date_ouverture <= day and (self.date_cloture is None or day < self.date_cloture)

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
