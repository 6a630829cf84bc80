"""Reads of reference data."""

from habilitations.models import Caf


def department_for_postal_code(code: str) -> str | None:
    """Postal code → department: the first two digits; Corsica 200–201 → 2A, 202–206 → 2B; overseas 97x → three."""
    if len(code) != 5 or not code.isdigit():
        return None
    if code.startswith("20"):
        prefix = int(code[:3])
        if prefix in (200, 201):
            return "2A"
        if 202 <= prefix <= 206:
            return "2B"
        return None
    if code.startswith("97"):
        return code[:3]
    return code[:2]


def caf_for_postal_code(code: str) -> Caf | None:
    department = department_for_postal_code(code)
    if department is None:
        return None
    return Caf.objects.filter(departement=department).first()
