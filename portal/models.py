"""The portal's own content: « Questions / Réponses » (webinar 004:938), written by the Caf's agents in the admin."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.faq_text import search_text


class FaqEntry(models.Model):
    """One question of the public « Questions / Réponses », in its rubrique, shown when published."""

    class Rubrique(models.TextChoices):
        CONNEXION = "CONNEXION", "Connexion"
        MOT_DE_PASSE = "MOT_DE_PASSE", "Mot de passe"
        DOUBLE_AUTHENTIFICATION = "DOUBLE_AUTHENTIFICATION", "Double authentification"
        HABILITATIONS = "HABILITATIONS", "Habilitations"
        SERVICES = "SERVICES", "Les services"
        CONTACT = "CONTACT", "Qui contacter ?"

    rubrique = models.CharField("rubrique", max_length=24, choices=Rubrique.choices)
    question = models.CharField("question", max_length=250)
    reponse = models.TextField(
        "réponse", max_length=4000, help_text="Texte simple ; une ligne vide sépare deux paragraphes."
    )
    ordre = models.PositiveSmallIntegerField(
        "ordre", default=0, help_text="Dans sa rubrique, du plus petit au plus grand."
    )
    publiee = models.BooleanField("publiée", default=True, help_text="Décochée : la question n'est plus affichée.")
    # The question and the answer without accents, in lower case: the search compares words the same way on PostgreSQL
    # and on SQLite (the demo), with an index-free LIKE — the FAQ holds tens of rows.
    recherche = models.TextField("texte de recherche", editable=False, blank=True)
    modifiee_le = models.DateTimeField("modifiée le", default=timezone.now)
    modifiee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modifiée par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "question / réponse"
        verbose_name_plural = "questions / réponses"
        ordering = ["rubrique", "ordre", "pk"]

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        self.recherche = search_text(self.question, self.reponse)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "recherche"}
        super().save(*args, **kwargs)

    def paragraphs(self) -> list[str]:
        return [part.strip() for part in self.reponse.replace("\r\n", "\n").split("\n\n") if part.strip()]
