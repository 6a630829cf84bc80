"""The CDAP rubric masks: which rubrics each profile opens (data/cdap_profiles.csv, loaded into Profile.rubriques
by a data migration). This module is the only place that answers "may profile P see rubric R"."""

from collections.abc import Iterable
from functools import lru_cache

from habilitations.reference import CDAP_RUBRICS

RUBRIC_LABELS = {
    "synthese": "Synthèse",
    "dossier": "Dossier",
    "paiements": "Paiements",
    "droits": "Droits",
    "famille": "Famille",
    "ressources": "Ressources",
    "rsa": "RSA",
    "courriers": "Courriers",
    "logement": "Logement",
    "creances": "Créances",
    "donnees_complementaires": "Données complémentaires",
    "cmu_cmuc_rsa": "CMU CMUC RSA",
    "cmuc_ressources": "CMUC ressources",
    "attestation_paiement": "Attestation de paiement",
}
# The tabs, in the order of the guide's screens (the attestation is an action, not a tab).
TAB_ORDER = [
    "synthese",
    "dossier",
    "paiements",
    "droits",
    "famille",
    "ressources",
    "rsa",
    "courriers",
    "logement",
    "creances",
    "donnees_complementaires",
    "cmu_cmuc_rsa",
    "cmuc_ressources",
]
assert set(TAB_ORDER) | {"attestation_paiement"} == set(CDAP_RUBRICS) == set(RUBRIC_LABELS)


@lru_cache(maxsize=64)
def _mask(profile_code: str) -> frozenset[str]:
    from habilitations.models import Profile

    profile = Profile.objects.filter(code=profile_code, service__code="CDAP").only("rubriques").first()
    return frozenset(profile.rubriques) if profile else frozenset()


def rubrics_for(profile_code: str) -> frozenset[str]:
    """The rubrics the CDAP profile opens (empty for an unknown profile: deny by default)."""
    return _mask(profile_code)


def may_see(profile_code: str, rubric: str) -> bool:
    return rubric in rubrics_for(profile_code)


def tabs_for(profile_code: str) -> list[str]:
    mask = rubrics_for(profile_code)
    return [rubric for rubric in TAB_ORDER if rubric in mask]


# The rubrics that have an online help page ("Aide en ligne", cdap.views_help): the tabs, then the attestation.
HELP_ORDER = [*TAB_ORDER, "attestation_paiement"]


def rubrics_open_to(profile_codes: Iterable[str]) -> list[str]:
    """The rubrics (tabs and the attestation) that at least one of these CDAP profiles opens, in the tabs' order.

    A user holding several profiles chooses one per consultation, whose mask alone applies to the dossier; the
    online help, which shows no dossier data, covers every rubric one of their profiles opens and no other."""
    opened = frozenset().union(*(rubrics_for(code) for code in set(profile_codes)))
    return [rubric for rubric in HELP_ORDER if rubric in opened]


def clear_cache() -> None:
    """Reference data changes only by migration; tests that rewrite a profile's mask call this."""
    _mask.cache_clear()
