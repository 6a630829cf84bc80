"""The portal's one audit journal: append-only, refused UPDATE and DELETE by a PostgreSQL trigger.

Never write a password, a token, a session key or a provisional password in it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Event(models.TextChoices):
    LOGIN_SUCCESS = "auth.login", "Connexion réussie"
    LOGIN_FAILURE = "auth.login_failed", "Échec de connexion"
    LOGIN_REFUSED = "auth.login_refused", "Connexion refusée (compte clôturé ou mot de passe provisoire expiré)"
    LOCKOUT = "auth.lockout", "Identifiant verrouillé"
    LOGOUT = "auth.logout", "Déconnexion"
    SESSION_EXPIRED = "auth.session_expired", "Session expirée"
    PASSWORD_CHANGED = "auth.password_changed", "Mot de passe modifié"
    PASSWORD_RESET_REQUESTED = "auth.password_reset_requested", "Mot de passe oublié demandé"
    PROVISIONAL_PASSWORD_ISSUED = "auth.provisional_password_issued", "Mot de passe provisoire émis"
    OTP_ENROLLED = "auth.otp_enrolled", "Second facteur enregistré"
    OTP_VERIFIED = "auth.otp_verified", "Second facteur vérifié"
    OTP_FAILED = "auth.otp_failed", "Échec du second facteur"
    BACKUP_CODES_GENERATED = "auth.backup_codes_generated", "Codes de secours générés"
    OTP_RESET = "auth.otp_reset", "Second facteur réinitialisé par la Caf"
    ACCOUNT_CREATED = "account.created", "Compte créé"
    IDENTIFIANT_SENT = "account.identifiant_sent", "Identifiant envoyé par courriel"
    PROFILE_CHANGED = "account.profile_changed", "Profil modifié"
    ORGANISM_REGISTERED = "hab.organism_registered", "Organisme enregistré"
    ORGANISM_CHANGED = "hab.organism_changed", "Organisme modifié"
    CONVENTION_CREATED = "hab.convention_created", "Convention créée"
    CONVENTION_CHANGED = "hab.convention_changed", "Convention modifiée"
    CONVENTION_PROFILE_OPENED = "hab.convention_profile_opened", "Profil accordé à la convention"
    CONVENTION_PROFILE_CLOSED = "hab.convention_profile_closed", "Profil retiré de la convention"
    # A Caf agent opened a service or set "Valable" without the required documents. data: missing (their names),
    # reason (the agent's), action ("profile_open" / "valable"), profiles (codes). The control plan reports them
    # (issue 17).
    DOCUMENTS_OVERRIDDEN = "hab.documents_overridden", "Dérogation : accès ouvert sans les documents requis"
    ADMINISTRATOR_NAMED = "hab.administrator_named", "Administrateur nommé"
    ADMINISTRATOR_CLOSED = "hab.administrator_closed", "Administrateur clôturé"
    USER_CREATED = "hab.user_created", "Utilisateur créé"
    USER_CHANGED = "hab.user_changed", "Utilisateur modifié"
    USER_CLOSED = "hab.user_closed", "Utilisateur clôturé"
    GROUP_CREATED = "hab.group_created", "Groupe créé"
    GROUP_CHANGED = "hab.group_changed", "Groupe modifié"
    GROUP_CLOSED = "hab.group_closed", "Groupe clôturé"
    GRANT_ASSIGNED = "hab.grant_assigned", "Habilitation du groupe attribuée"
    GRANT_CLOSED = "hab.grant_closed", "Habilitation du groupe clôturée"
    MEMBERSHIP_ADDED = "hab.membership_added", "Utilisateur ajouté au groupe"
    MEMBERSHIP_CHANGED = "hab.membership_changed", "Appartenance modifiée"
    MEMBERSHIP_CLOSED = "hab.membership_closed", "Appartenance clôturée"
    # Consulter Dossier. data: profile (code), caf (code), dossier (numéro allocataire), rubric, outcome
    # ("found" / "refused"), reason (refusal code), mode (attestation: "download" / "courrier").
    CDAP_SEARCH = "cdap.search", "Recherche de dossier"
    CDAP_RUBRIC = "cdap.rubric", "Rubrique consultée"
    CDAP_RUBRIC_REFUSED = "cdap.rubric_refused", "Rubrique refusée"
    CDAP_ATTESTATION = "cdap.attestation", "Attestation de paiement"
    CDAP_DIALOGUE = "cdap.dialogue", "Message Dialogue"
    # A Caf agent's work on the postal requests (not a partner's consultation: no organism, no user concerned).
    # data: caf, dossier, periode, postal (id); mode "pdf" when the agent prints the attestation to post it.
    CDAP_POSTAL_PRINTED = "cdap.postal_printed", "Attestation imprimée pour envoi par courrier"
    CDAP_POSTAL_SENT = "cdap.postal_sent", "Attestation envoyée par courrier"
    # AFAS. Facilities (Caf agents, admin) data: activity (id, nom), site (id, nom), before / after; roles (an
    # AFAS-HABILITER user) data: role, activity, site, from (date_ouverture), until (date_cloture).
    AFAS_ACTIVITY_CREATED = "afas.activity_created", "Activité AFAS créée"
    AFAS_ACTIVITY_CHANGED = "afas.activity_changed", "Activité AFAS modifiée"
    AFAS_SITE_CREATED = "afas.site_created", "Lieu d'implantation créé"
    AFAS_SITE_CHANGED = "afas.site_changed", "Lieu d'implantation modifié"
    AFAS_ROLE_ASSIGNED = "afas.role_assigned", "Rôle AFAS attribué"
    AFAS_ROLE_ENDED = "afas.role_ended", "Rôle AFAS terminé"
    # ADONIS. The search: profile, caf, dossier (numéro allocataire), outcome ("found" / "refused"), reason (as
    # Consulter Dossier's). A request (id, dossier, motif, type_intervenant) and its decision (etat, motif_refus);
    # the participation scale (caf, bracket id, before / after), by a Caf agent.
    ADONIS_SEARCH = "adonis.search", "Adonis : recherche de dossier"
    ADONIS_REQUEST_CREATED = "adonis.request_created", "Adonis : demande d'aide à domicile enregistrée"
    ADONIS_REQUEST_DECIDED = "adonis.request_decided", "Adonis : décision sur une demande d'aide à domicile"
    ADONIS_BRACKET_CREATED = "adonis.bracket_created", "Adonis : tranche du barème de participation créée"
    ADONIS_BRACKET_CHANGED = "adonis.bracket_changed", "Adonis : tranche du barème de participation modifiée"


class JournalEntry(models.Model):
    at = models.DateTimeField("date et heure", default=timezone.now, db_index=True)
    # No `choices` on the column: new events must not need a migration. `get_event_display` reads Event.
    event = models.CharField("événement", max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_entries",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_actions",
    )
    organism = models.ForeignKey(
        "habilitations.Organism",
        verbose_name="organisme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_entries",
    )
    identifiant = models.CharField("identifiant saisi", max_length=64, blank=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    user_agent = models.CharField("navigateur", max_length=300, blank=True)
    data = models.JSONField("détails", default=dict, blank=True)

    class Meta:
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "-at"], name="journal_user_at_idx"),
            # Supervision: an organism's consultations, newest first.
            models.Index(fields=["organism", "-at"], name="journal_organism_at_idx"),
        ]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M:%S} {self.get_event_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Le journal est en ajout seul.")
        super().save(*args, **kwargs)

    def get_event_display(self) -> str:
        try:
            return Event(self.event).label
        except ValueError:
            return self.event


def client_ip(request) -> str | None:
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def storable(value):
    """`value` with every NUL character shown as U+FFFD: PostgreSQL holds none in text or JSON, and the journal
    keeps what was typed (a refused search's numéro, an identifiant) rather than fail the request."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [storable(item) for item in value]
    return value


def journal_write(
    event: str, *, request=None, user=None, actor=None, identifiant: str = "", organism=None, **data
) -> JournalEntry:
    """Append one row. `user` is the account concerned, `actor` who acted (defaults to the request's user)."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    return JournalEntry.objects.create(
        event=event,
        user=user,
        actor=actor,
        organism=organism,
        identifiant=storable((identifiant or "")[:64]),
        ip=client_ip(request),
        user_agent=storable((request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300]),
        data=storable(data),
    )
