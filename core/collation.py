"""The French order of names and codes, the same on every screen.

- Names (nom, prénom, libellé) are ordered by the database with a French collation: accents, case and ligatures do
  not count first ("Lagare" before "LEROY", "Écoles" with the E's). PostgreSQL has it built in (ICU, `fr-x-icu`);
  on SQLite (the demo) `register_sqlite_collation` gives the connection a collation of the same name.
- Codes with numbers (group codes T1, T4, T18, AFAS-HAB) are ordered naturally, numbers by their value: T4 before
  T18. `natural_key` is the sort key, for the short lists of a convention's groups.
"""

import re
import unicodedata

from django.db.models import F
from django.db.models.functions import Collate

FRENCH = "fr-x-icu"
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'"})
_CHUNKS = re.compile(r"(\d+)")


def fold(text: str) -> str:
    """`text` without accents, ligatures or case: what a French reader compares first."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def natural_key(text: str) -> tuple:
    """Sort key comparing the runs of digits by their value and the rest folded: T1, T1-CESF, T4, T18, T19."""
    parts = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, fold(part)) for part in _CHUNKS.split(text or "") if part
    )
    return (parts, text or "")


def french_order(*fields: str) -> list:
    """Expressions for `order_by`: each field in the French collation."""
    return [Collate(F(field), FRENCH) for field in fields]


def _sqlite_compare(left: str, right: str) -> int:
    a, b = natural_key(left), natural_key(right)
    return (a > b) - (a < b)


def register_sqlite_collation(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: the French collation on SQLite connections (PostgreSQL has its own)."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(FRENCH, _sqlite_compare)
