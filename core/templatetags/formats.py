"""French formats shared by every service's templates: `{% load formats %}`."""

from django import template
from django.utils.formats import number_format

register = template.Library()

NBSP = "\u00a0"


@register.filter
def euros(value) -> str:
    """An amount in euros, French style: `1 049,52 €` (non-breaking spaces between the thousands and before the sign,
    so it never breaks across lines). Empty for no value: the template says what a missing amount means."""
    if value is None or value == "":
        return ""
    return f"{number_format(value, 2, force_grouping=True)}{NBSP}€"


@register.filter
def euros_entiers(value) -> str:
    """A whole amount in euros (a quotient familial): `1 057 €`. Empty for no value."""
    if value is None or value == "":
        return ""
    return f"{number_format(value, 0, force_grouping=True)}{NBSP}€"
