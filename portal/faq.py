"""« Questions / Réponses » (webinar 004:938): the published questions, searched word by word without accents or
case, and the agents' writes (journaled)."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from habilitations.journal import journal_write
from portal.faq_text import search_words
from portal.models import FaqEntry

FAQ_CHANGED = "portal.faq_changed"


def published_entries(query: str = "", rubrique: str | None = None) -> QuerySet[FaqEntry]:
    """The published questions in their rubrique's order; with `query`, those holding every one of its words (in the
    question or the answer, whatever the accents and the case); with `rubrique`, that rubrique's only."""
    entries = FaqEntry.objects.filter(publiee=True)
    for word in search_words(query):
        entries = entries.filter(recherche__contains=word)
    if rubrique:
        entries = entries.filter(rubrique=rubrique)
    return entries.order_by("rubrique", "ordre", "pk")


RUBRIQUE_ORDER = [value for value, _label in FaqEntry.Rubrique.choices]


def by_rubrique(entries) -> list[tuple[str, str, list[FaqEntry]]]:
    """(code, libellé, questions) of each rubrique holding some, in the rubriques' order (not the codes')."""
    grouped: dict[str, list[FaqEntry]] = {}
    for entry in entries:
        grouped.setdefault(entry.rubrique, []).append(entry)
    labels = dict(FaqEntry.Rubrique.choices)
    return [(code, labels[code], grouped[code]) for code in RUBRIQUE_ORDER if code in grouped]


@transaction.atomic
def faq_entry_save(entry: FaqEntry, *, actor, request=None, changed=()) -> FaqEntry:
    """Save a question written in the admin, with who and when, and journal it (its fields changed)."""
    created = entry.pk is None
    entry.modifiee_le = timezone.now()
    entry.modifiee_par = actor
    entry.save()
    journal_write(
        FAQ_CHANGED,
        request=request,
        actor=actor,
        faq=entry.pk,
        created=created,
        fields=sorted(changed),
        publiee=entry.publiee,
    )
    return entry
