"""Form helpers for the shared templates: `{% load form_tags %}`."""

from django import template

register = template.Library()


@register.filter
def error_count(form) -> int:
    """How many messages the error summary lists: each error of the form itself and of each of its fields (a field
    with two errors counts two; `form.errors|length` counted fields, not messages)."""
    return len(form.non_field_errors()) + sum(len(field.errors) for field in form)
