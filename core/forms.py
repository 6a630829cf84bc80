"""Form helpers every app's forms use: every error in French, next to its field."""

import re

from django import forms
from django.core.exceptions import ValidationError

PHONE_RE = re.compile(r"^\+?[0-9 .-]{6,20}$")


class CleanCharField(forms.CharField):
    """Refuses NUL and other control characters with a French message instead of Django's generic one."""

    def to_python(self, value):
        value = super().to_python(value)
        if value and any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
            raise forms.ValidationError("Ce champ contient un caractère non autorisé.", code="control")
        return value


class RequiredMarkMixin:
    """Required fields read "Nom : *", as in the guides (the page says what the asterisk means).

    A form that changes a field's `required` after `__init__` calls `mark_required()` again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mark_required()

    def mark_required(self) -> None:
        for field in self.fields.values():
            field.label_suffix = " : *" if field.required else None


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as ISO (AAAA-MM-JJ), JJ/MM/AAAA is accepted too."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def french_date_field(label: str, *, required: bool = False, widget=None, **kwargs) -> forms.DateField:
    """A date with the French messages; the browser's date picker unless another widget is given (the admin's)."""
    return forms.DateField(
        label=label,
        required=required,
        widget=widget or DateInput(),
        error_messages={
            "required": f"Saisissez la {label.lower()}.",
            "invalid": "Saisissez une date valide, par exemple 31/12/2026.",
        },
        **kwargs,
    )


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's `ValidationError` on the form: next to its field when the form has it, else on top.

    Forms validate the input only; the rules live in the app's services, whose `ValidationError`s are keyed by
    field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
