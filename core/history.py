"""A dated, attributed state history for any model with a state machine (AFAS and Bailleur declarations, ADONIS
requests, conventions...): who moved which object from which state to which, when, and why.

`transition()` is the one way to change such a state: it locks the object's row, refuses a move its machine does
not allow (a French message on the state field, nothing written), saves the new state and writes the history row
in the same transaction. `timeline()` reads the history as the timeline component (components/timeline.html)
shows it, with the states' French labels.

A model declares its machine as a class attribute ``STATE_TRANSITIONS = {from: {to, ...}}`` over its state
field's choices (``STATE_FIELD``, default ``"etat"``), or the caller passes ``allowed=``.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone


class StateChange(models.Model):
    """One move of one object's state. Append-only: a history is never edited."""

    content_type = models.ForeignKey(ContentType, verbose_name="type d'objet", on_delete=models.PROTECT)
    object_id = models.CharField("identifiant de l'objet", max_length=64)
    field = models.CharField("champ", max_length=64, default="etat")
    from_state = models.CharField("état précédent", max_length=64, blank=True)
    to_state = models.CharField("nouvel état", max_length=64)
    at = models.DateTimeField("le", default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "changement d'état"
        verbose_name_plural = "changements d'état"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at", "id"], name="statechange_object_idx")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(to_state=""), name="statechange_to_state_not_empty"),
            models.CheckConstraint(
                condition=~models.Q(from_state=models.F("to_state")), name="statechange_changes_state"
            ),
        ]

    def __str__(self):
        return f"{self.from_state or '—'} → {self.to_state} ({self.at:%d/%m/%Y %H:%M})"


def _labels(model, field: str) -> dict[str, str]:
    return {str(value): str(label) for value, label in model._meta.get_field(field).flatchoices}


def _allowed_of(model, allowed) -> Mapping[str, Iterable[str]]:
    if allowed is not None:
        return allowed
    declared = getattr(model, "STATE_TRANSITIONS", None)
    if declared is None:
        raise TypeError(f"{model.__name__} declares no STATE_TRANSITIONS: pass allowed=")
    return declared


@transaction.atomic
def transition(
    obj: models.Model,
    to: str,
    *,
    by=None,
    comment: str = "",
    allowed: Mapping[str, Iterable[str]] | None = None,
    field: str | None = None,
    update_fields: Iterable[str] = (),
) -> StateChange:
    """Move `obj` to the state `to` if its machine allows it from the state it is in *now* (its row is locked, so
    two concurrent moves cannot both start from the same state), save it and write the history row; otherwise raise
    a ValidationError on the state field with a French message and write nothing. `update_fields` are other fields
    of `obj` the caller changed with the move (saved with it)."""
    model = type(obj)
    field = field or getattr(model, "STATE_FIELD", "etat")
    machine = _allowed_of(model, allowed)
    labels = _labels(model, field)
    current = str(model._default_manager.select_for_update().values_list(field, flat=True).get(pk=obj.pk))
    target = str(to)
    if target not in labels:
        raise ValidationError({field: f"État inconnu « {target} »."})
    if target not in {str(state) for state in machine.get(current, ())}:
        if target == current:
            message = f"L'objet est déjà à l'état « {labels[target]} »."
        else:
            message = f"Passage impossible de l'état « {labels.get(current, current)} » à l'état « {labels[target]} »."
        raise ValidationError({field: message})
    setattr(obj, field, target)
    obj.save(update_fields=[field, *update_fields])
    return StateChange.objects.create(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id=str(obj.pk),
        field=field,
        from_state=current,
        to_state=target,
        by=by,
        comment=comment.strip(),
    )


def history(obj: models.Model, *, field: str | None = None) -> models.QuerySet[StateChange]:
    """The object's moves, oldest first, with their author (one query)."""
    model = type(obj)
    field = field or getattr(model, "STATE_FIELD", "etat")
    return StateChange.objects.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id=str(obj.pk),
        field=field,
    ).select_related("by")


@dataclass(frozen=True)
class TimelineEntry:
    """One step of the timeline as the component shows it."""

    at: datetime.datetime
    by: str
    from_label: str
    to_label: str
    comment: str


def timeline(obj: models.Model, *, field: str | None = None) -> list[TimelineEntry]:
    """The history in French, oldest first: states by their labels, the author by name ("" when the system moved
    it; the template says so)."""
    model = type(obj)
    field = field or getattr(model, "STATE_FIELD", "etat")
    labels = _labels(model, field)
    return [
        TimelineEntry(
            at=change.at,
            by=(change.by.get_full_name() or change.by.get_username()) if change.by else "",
            from_label=labels.get(change.from_state, change.from_state),
            to_label=labels.get(change.to_state, change.to_state),
            comment=change.comment,
        )
        for change in history(obj, field=field)
    ]
