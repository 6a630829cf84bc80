"""How « Questions / Réponses » compares words: without accents, in lower case (« Réinitialiser », « reinitialiser »
and « RÉINITIALISER » are one word). Plain Python, shared by the model, the search and the data migration."""

import re
import unicodedata

LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "’": "'"})


def fold(text: str) -> str:
    """`text` in lower case, without accents or ligatures, its spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower().translate(LIGATURES))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", plain).strip()


def search_text(*parts: str) -> str:
    return fold(" ".join(parts))


def search_words(query: str) -> list[str]:
    """The words of a search, folded; at most 10, each of 2 characters at least (« à », « a » find everything)."""
    words = re.findall(r"[\w'-]+", fold(query))
    return [word for word in words if len(word) >= 2][:10]
