"""Filters of the attestation de paiement (templates/pdf/attestation.html)."""

from django import template
from django.utils.formats import number_format

register = template.Library()

FIGURE_SPACE = "\u2007"  # as wide as a digit (the font's figures are tabular): pads a number without moving it


@register.filter
def montant_colonne(value, width=9) -> str:
    """`value` in euros with two decimals (French format), right-aligned in a column `width` characters wide: padded
    on the left with figure spaces, so the amounts that start at the same tab stop end at the same place. A longer
    number is left as it is (wider, never cut)."""
    text = number_format(value, 2)
    return FIGURE_SPACE * max(0, int(width) - len(text)) + text
