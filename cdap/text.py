"""Name normalisation shared by the data loaders and the search: upper case, without accents, one space between
words whatever separates them."""

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and an accent.
LIGATURES = str.maketrans({"Œ": "OE", "œ": "OE", "Æ": "AE", "æ": "AE", "ß": "SS", "Ø": "O", "ø": "O"})
# What may stand between the words of a name as stored or as typed: blanks (no-break spaces included), every hyphen
# and dash, every apostrophe (straight, curly, modifier letter, backtick, acute accent), dots and commas.
SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−'’‘‛ʼʹ`´′.,]+")
NAME_MAX = 100  # Person.nom_recherche's length: "Œ" → "OE" may lengthen a name, both sides are cut alike


def normalize_name(value: str) -> str:
    """ "Dupré-Lefèvre " → "DUPRE LEFEVRE", "d’Artagnan" → "D ARTAGNAN": accents and case are ignored, and a hyphen,
    an apostrophe (straight or curly) or several blanks count as one space, so "dupre lefevre" finds
    "DUPRÉ-LEFÈVRE". Persons' `nom_recherche` holds this form (migration cdap 0005 recomputed it)."""
    decomposed = unicodedata.normalize("NFKD", (value or "").translate(LIGATURES))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return SEPARATORS.sub(" ", stripped).strip().upper()[:NAME_MAX].rstrip()
