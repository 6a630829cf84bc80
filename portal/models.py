from django.conf import settings
from django.db import models
from django.utils import timezone


class OutgoingEmail(models.Model):
    """An e-mail to deliver exactly once: the delivery task locks this row and does nothing if it was sent.

    The context holds no secret: a provisional password is generated at send time by the e-mail kind.
    """

    key = models.CharField("clé d'idempotence", max_length=100, unique=True)
    kind = models.CharField("type", max_length=50)
    to = models.EmailField("destinataire", max_length=320)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="compte", on_delete=models.PROTECT, null=True, blank=True
    )
    context = models.JSONField("contexte", default=dict, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    attempts = models.PositiveIntegerField("tentatives", default=0)

    class Meta:
        verbose_name = "courriel"
        verbose_name_plural = "courriels"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} → {self.to}"
