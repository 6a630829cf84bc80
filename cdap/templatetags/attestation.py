"""Filters of the attestation de paiement (templates/pdf/attestation.html)."""

from django import template
from django.utils.formats import date_format, number_format

register = template.Library()

FIGURE_SPACE = "\u2007"  # as wide as a digit (the font's figures are tabular): pads a number without moving it


@register.filter
def montant_colonne(value, width=9) -> str:
    """`value` in euros with two decimals (French format), right-aligned in a column `width` characters wide: padded
    on the left with figure spaces, so the amounts that start at the same tab stop end at the same place. A longer
    number is left as it is (wider, never cut)."""
    text = number_format(value, 2)
    return FIGURE_SPACE * max(0, int(width) - len(text)) + text


@register.filter
def mois_precede_de(value) -> str:
    """The month of `value` with the French preposition elided before a vowel: "de décembre 2021", "d'octobre 2026"
    (avril, août and octobre are the months that start with a vowel)."""
    month = date_format(value, "F Y")
    return f"d'{month}" if month[:1] in "aeiouyâàéèê" else f"de {month}"


@register.filter
def sur_une_ligne(value) -> str:
    """`value` with its runs of spaces, tabs and line breaks made one space: a label of imported data keeps to its
    line of the tab-aligned prestations (a tab or a line break in it would move its amount out of the column)."""
    return " ".join(str(value).split())


@register.filter
def sur_lignes(value) -> str:
    """A multi-line text (the Caf's postal address) as its non-empty lines, each with its runs of spaces made one,
    joined by line breaks: blank lines or trailing spaces typed in the admin leave no gap in the header."""
    lines = (" ".join(line.split()) for line in str(value).splitlines())
    return "\n".join(line for line in lines if line)
