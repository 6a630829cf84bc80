from django.conf import settings
from django.db import models
from django.utils import timezone


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, now=None):
        """Pending rows whose next attempt has come: never tried, or tried and past their backoff."""
        return self.filter(sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now or timezone.now())


class OutgoingEmail(models.Model):
    """The outbox: an e-mail is this row, whatever the broker does. It is delivered at least once and every copy is
    the same message (core.mail): the content generated for it (a provisional password) is fixed at the first
    attempt, kept encrypted in `secret` until the message is sent, then erased; the Message-ID is fixed too.
    """

    key = models.CharField("clé d'idempotence", max_length=100, unique=True)
    kind = models.CharField("type", max_length=50)
    to = models.EmailField("destinataire", max_length=320)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="compte", on_delete=models.PROTECT, null=True, blank=True
    )
    context = models.JSONField("contexte", default=dict, blank=True)
    # Bulk e-mails (an import's, the reminders) go through their own queue, rate-limited; the others (a password
    # reset, an identifiant asked for, a confirmation link, a security notice) never wait behind them (core.mail).
    bulk = models.BooleanField("envoi groupé", default=False)
    secret = models.TextField("contexte chiffré", blank=True, editable=False)
    message_id = models.CharField("Message-ID", max_length=255, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    attempts = models.PositiveIntegerField("tentatives", default=0)
    last_attempt_at = models.DateTimeField("dernière tentative le", null=True, blank=True)
    next_attempt_at = models.DateTimeField("prochaine tentative le", default=timezone.now)
    failed_at = models.DateTimeField("en échec depuis le", null=True, blank=True)
    last_error = models.TextField("dernière erreur", blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        # The table the portal app created (portal migrations 0001-0003): the model moved to core with its rows,
        # in the migrations' state only (core 0001, portal 0004).
        db_table = "portal_outgoingemail"
        verbose_name = "courriel"
        verbose_name_plural = "courriels"
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["bulk", "next_attempt_at"],
                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outgoing_email_pending_queue",
            )
        ]

    def __str__(self):
        return f"{self.kind} → {self.to}"

    @property
    def status(self) -> str:
        if self.sent_at is not None:
            return "Envoyé"
        return "En échec" if self.failed_at is not None else "En attente"
