"""Field validators with French messages."""

from django.core.exceptions import ValidationError

LA_POSTE_SIREN = "356000000"


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siret(value: str) -> None:
    """14 digits with a valid Luhn key; La Poste's establishments (SIREN 356000000) use a digit sum divisible by 5."""
    if len(value) != 14 or not value.isdigit():
        raise ValidationError("Le SIRET compte 14 chiffres, sans espace.", code="siret_format")
    if value.startswith(LA_POSTE_SIREN):
        if sum(int(c) for c in value) % 5 != 0:
            raise ValidationError("Ce numéro SIRET n'est pas valide (clé de contrôle).", code="siret_checksum")
        return
    if not luhn_ok(value):
        raise ValidationError("Ce numéro SIRET n'est pas valide (clé de contrôle).", code="siret_checksum")
