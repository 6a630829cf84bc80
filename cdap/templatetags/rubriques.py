"""What the rubric templates say about benefits (cdap.prestations): `{% load rubriques %}`."""

from django import template

from cdap import prestations

register = template.Library()


@register.filter
def est_aide_logement(value) -> bool:
    """A housing aid (AL, APL…, by code or full name): its amount carries the guide's 2021 footnote."""
    return prestations.is_housing_aid(str(value))


@register.simple_tag
def note_aides_logement() -> str:
    return prestations.NOTE_AIDES_LOGEMENT


@register.filter
def libelle_prestation(value) -> str:
    """A benefit's full name from its code ("AF" → "Allocations familiales"); a full name is left as it is."""
    return prestations.libelle(str(value))
