"""Writes of ADONIS, each in a transaction with its journal row (keys documented in habilitations.journal).

- « Rechercher un dossier »: lookup_create (found) and search_refused, journaled as the CDAP search is (user,
  organism, profile, caf, dossier, outcome, reason).
- Requests: request_create (state « Demandée »), request_accept / request_refuse (core.history.transition: the
  move and its history row, refused in French from any other state).
- The participation scale (Caf agents, admin): bracket_create / bracket_update, an overlap refused in French (and
  by PostgreSQL's exclusion constraint whatever writes).
"""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from adonis import models as adonis_models
from adonis import selectors
from adonis.models import (
    HOURS_MAX,
    HOURS_MIN,
    QF_MAX,
    SERVICE,
    FamilyLookup,
    HomeHelpRequest,
    MotifRefus,
    ParticipationBracket,
)
from core.history import StateChange, transition
from habilitations.journal import Event, journal_write
from habilitations.models import Caf, Organism

BRACKET_FIELDS = ["caf", "qf_min", "qf_max", "taux_horaire", "exemple"]


def search_refused(*, request, organism: Organism, caf_code: str, numero: str, reason: str) -> None:
    """Journal a refused search (the user sees only the neutral message)."""
    journal_write(
        Event.ADONIS_SEARCH,
        request=request,
        user=request.user,
        organism=organism,
        profile=SERVICE,
        caf=caf_code,
        dossier=numero[:7],
        outcome="refused",
        reason=reason,
    )


@transaction.atomic
def lookup_create(*, request, organism: Organism, dossier) -> FamilyLookup:
    """Open an opaque reference to the dossier found by the user's search, and journal the search."""
    lookup = FamilyLookup.objects.create(user=request.user, organism=organism, dossier_id=dossier.pk)
    journal_write(
        Event.ADONIS_SEARCH,
        request=request,
        user=request.user,
        organism=organism,
        profile=SERVICE,
        caf=dossier.caf.code,
        dossier=dossier.numero,
        outcome="found",
    )
    return lookup


@transaction.atomic
def request_create(
    *, request, lookup: FamilyLookup, date_demande: datetime.date, motif: str, type_intervenant: str
) -> HomeHelpRequest:
    """Record a family's request (« Demandée ») for the dossier of the user's look-up, in the look-up's SAAD."""
    if date_demande > timezone.localdate():
        raise ValidationError({"date_demande": "La date de la demande ne peut pas être dans le futur."})
    created = HomeHelpRequest.objects.create(
        organism=lookup.organism,
        caf_id=lookup.organism.caf_pivot_id,
        dossier_id=lookup.dossier_id,
        created_by=request.user,
        date_demande=date_demande,
        motif=motif,
        type_intervenant=type_intervenant,
    )
    _history_start(created, request.user)
    journal_write(
        Event.ADONIS_REQUEST_CREATED,
        request=request,
        user=request.user,
        organism=lookup.organism,
        demande=created.pk,
        dossier=selectors.family(lookup.dossier_id)["numero"],
        motif=motif,
        type_intervenant=type_intervenant,
    )
    return created


def _history_start(obj: HomeHelpRequest, user) -> None:
    """The request's first step « Demandée » in its history (from no state: core.history moves between states)."""
    StateChange.objects.create(
        content_type=ContentType.objects.get_for_model(HomeHelpRequest),
        object_id=str(obj.pk),
        field="etat",
        from_state="",
        to_state=adonis_models.Etat.DEMANDEE,
        by=user,
    )


def _check_plan(heures, date_debut, date_fin) -> None:
    errors = {}
    if heures is None:
        errors["heures_prevues"] = "Saisissez le nombre d'heures prévues."
    elif not HOURS_MIN <= Decimal(heures) <= HOURS_MAX:
        errors["heures_prevues"] = (
            f"Le nombre d'heures prévues est compris entre {HOURS_MIN:n} et {HOURS_MAX:n}.".replace(".", ",")
        )
    if date_debut and date_fin and date_fin < date_debut:
        errors["date_fin"] = "La date de fin doit être postérieure ou égale à la date de début."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def request_accept(
    demande: HomeHelpRequest,
    *,
    request,
    heures_prevues: Decimal,
    niveau: str,
    date_debut: datetime.date,
    date_fin: datetime.date,
    comment: str = "",
) -> HomeHelpRequest:
    """Accept the request: the plan, and the family's participation from the quotient familial the Caf computes
    today and the scale of the SAAD's Caf (none when the QF is unknown or no bracket holds it)."""
    _check_plan(heures_prevues, date_debut, date_fin)
    qf = selectors.quotient_familial(demande.dossier_id)
    bracket = selectors.bracket_for(demande.caf_id, qf)
    demande.heures_prevues = heures_prevues
    demande.niveau = niveau
    demande.date_debut = date_debut
    demande.date_fin = date_fin
    demande.quotient_familial = qf
    demande.taux_horaire = bracket.taux_horaire if bracket else None
    demande.participation = selectors.participation(bracket, heures_prevues)
    fields = ["heures_prevues", "niveau", "date_debut", "date_fin", "quotient_familial", "taux_horaire"]
    transition(
        demande,
        adonis_models.Etat.ACCEPTEE,
        by=request.user,
        comment=comment,
        update_fields=[*fields, "participation"],
    )
    _journal_decision(request, demande)
    return demande


@transaction.atomic
def request_refuse(
    demande: HomeHelpRequest, *, request, motif_refus: str, motif_refus_autre: str = "", comment: str = ""
) -> HomeHelpRequest:
    """Refuse the request, with its motive (« Autre »: with a text)."""
    motif_refus_autre = motif_refus_autre.strip()
    if motif_refus not in MotifRefus.values:
        raise ValidationError({"motif_refus": "Choisissez le motif de refus dans la liste."})
    if motif_refus == MotifRefus.AUTRE and not motif_refus_autre:
        raise ValidationError({"motif_refus_autre": "Précisez le motif de refus."})
    demande.motif_refus = motif_refus
    demande.motif_refus_autre = motif_refus_autre if motif_refus == MotifRefus.AUTRE else ""
    label = MotifRefus(motif_refus).label
    text = f"Motif de refus : {label}" + (f" — {demande.motif_refus_autre}" if demande.motif_refus_autre else "")
    transition(
        demande,
        adonis_models.Etat.REFUSEE,
        by=request.user,
        comment="\n".join(filter(None, [text, comment.strip()])),
        update_fields=["motif_refus", "motif_refus_autre"],
    )
    _journal_decision(request, demande)
    return demande


def _journal_decision(request, demande: HomeHelpRequest) -> None:
    journal_write(
        Event.ADONIS_REQUEST_DECIDED,
        request=request,
        user=request.user,
        organism=demande.organism,
        demande=demande.pk,
        etat=demande.etat,
        motif_refus=demande.motif_refus,
    )


# --- The participation scale (Caf agents) --------------------------------------------------------------------


def _bracket_snapshot(bracket: ParticipationBracket) -> dict:
    return {
        "qf_min": bracket.qf_min,
        "qf_max": bracket.qf_max,
        "taux_horaire": str(bracket.taux_horaire),
        "exemple": bracket.exemple,
    }


def _check_bracket(bracket: ParticipationBracket) -> None:
    """The bracket's bounds, and no overlap with another bracket of its Caf (the Caf's rows locked)."""
    errors = {}
    if bracket.qf_min is not None and bracket.qf_min > QF_MAX:
        errors["qf_min"] = f"Le quotient familial ne dépasse pas {QF_MAX} €."
    if bracket.qf_max is not None:
        if bracket.qf_max > QF_MAX:
            errors["qf_max"] = f"Le quotient familial ne dépasse pas {QF_MAX} €."
        elif bracket.qf_min is not None and bracket.qf_max < bracket.qf_min:
            errors["qf_max"] = "La borne haute doit être supérieure ou égale à la borne basse."
    if bracket.taux_horaire is not None and not Decimal(0) <= bracket.taux_horaire <= Decimal(1000):
        errors["taux_horaire"] = "La participation horaire est comprise entre 0 et 1 000 €."
    if errors:
        raise ValidationError(errors)
    others = list(
        ParticipationBracket.objects.select_for_update().filter(caf_id=bracket.caf_id).exclude(pk=bracket.pk)
    )
    high = bracket.qf_max if bracket.qf_max is not None else QF_MAX + 1
    for other in others:
        other_high = other.qf_max if other.qf_max is not None else QF_MAX + 1
        if bracket.qf_min <= other_high and other.qf_min <= high:
            raise ValidationError(
                {"qf_min": f"Cette tranche chevauche la tranche « {other} » du barème de la Caf : corrigez-la."}
            )


def _save_bracket(bracket: ParticipationBracket) -> None:
    try:
        with transaction.atomic():
            bracket.save()
    except IntegrityError as error:  # a concurrent write the lock could not see (PostgreSQL's constraint)
        raise ValidationError(
            {"qf_min": "Cette tranche chevauche une autre tranche du barème de la Caf : corrigez les bornes."}
        ) from error


@transaction.atomic
def bracket_create(
    *,
    caf: Caf,
    qf_min: int,
    qf_max: int | None,
    taux_horaire: Decimal,
    exemple: bool = False,
    actor=None,
    request=None,
) -> ParticipationBracket:
    """Add a bracket to the Caf's participation scale (a Caf agent)."""
    Caf.objects.select_for_update().filter(pk=caf.pk).first()  # one writer of a Caf's scale at a time
    bracket = ParticipationBracket(caf=caf, qf_min=qf_min, qf_max=qf_max, taux_horaire=taux_horaire, exemple=exemple)
    _check_bracket(bracket)
    _save_bracket(bracket)
    journal_write(
        Event.ADONIS_BRACKET_CREATED,
        request=request,
        actor=actor,
        caf=caf.code,
        bracket=bracket.pk,
        after=_bracket_snapshot(bracket),
    )
    return bracket


@transaction.atomic
def bracket_update(bracket: ParticipationBracket, *, actor=None, request=None, **changes) -> ParticipationBracket:
    """Change a bracket of the scale (a Caf agent): bounds, rate, « valeur d'exemple »."""
    unknown = set(changes) - set(BRACKET_FIELDS[1:])
    if unknown:
        raise ValueError(f"Fields not settable here: {sorted(unknown)}")
    Caf.objects.select_for_update().filter(pk=bracket.caf_id).first()
    before = _bracket_snapshot(ParticipationBracket.objects.get(pk=bracket.pk))
    for name, value in changes.items():
        setattr(bracket, name, value)
    _check_bracket(bracket)
    _save_bracket(bracket)
    journal_write(
        Event.ADONIS_BRACKET_CHANGED,
        request=request,
        actor=actor,
        caf=bracket.caf.code,
        bracket=bracket.pk,
        before=before,
        after=_bracket_snapshot(bracket),
    )
    return bracket
