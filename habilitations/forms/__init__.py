"""Forms of the partner administration screens ("Gestion des habilitations"). Every message in French.

Forms validate the input only; the rules live in `habilitations.services`, whose `ValidationError`s (keyed by
field) are put back on the form with `core.forms.add_service_errors`.
"""
