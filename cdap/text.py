"""Name normalisation shared by the data loaders and the search: upper case, without accents."""

import re
import unicodedata


def normalize_name(value: str) -> str:
    """ "Dupré-Lefèvre " → "DUPRE-LEFEVRE": accents and case are ignored, inner blanks collapsed."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", stripped).strip().upper()
