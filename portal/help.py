"""« BESOIN D'AIDE ? » (guide 001): the centre de services of the user's Caf, and on a service's pages the Caf's
contact for that service (guide 003: pôle, e-mail, named agents and phones), on every logged-in page.

Read from the cache only, as the banners (portal.banners): a Caf's help is written to the cache at its users' login
and again whenever its agents change it; a page never queries it."""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction

from habilitations.models import Caf, CafServiceContact

CACHE_KEY = "portal:help:v1:{caf_id}"
CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class ServiceContact:
    service: str
    service_libelle: str
    pole: str
    email: str
    telephone: str
    interlocuteurs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CafHelp:
    caf_id: int
    nom: str
    jours: str
    horaires: str
    telephone: str
    email: str
    contacts: dict[str, ServiceContact] = field(default_factory=dict)

    @property
    def has_centre(self) -> bool:
        return bool(self.telephone or self.email)


def caf_help_of(caf: Caf, contacts) -> CafHelp:
    return CafHelp(
        caf.pk,
        caf.nom,
        caf.centre_services_jours,
        caf.centre_services_horaires,
        caf.centre_services_telephone,
        caf.centre_services_email,
        {
            c.service.code: ServiceContact(
                c.service.code, c.service.libelle, c.pole, c.email, c.telephone, tuple(c.interlocuteur_lines())
            )
            for c in contacts
        },
    )


def help_reload(caf_id: int) -> CafHelp | None:
    """Reads the Caf's help (two queries) and writes it to the cache."""
    caf = Caf.objects.filter(pk=caf_id).first()
    if caf is None:
        return None
    help_ = caf_help_of(caf, CafServiceContact.objects.filter(caf=caf).select_related("service"))
    try:
        cache.set(CACHE_KEY.format(caf_id=caf_id), help_, CACHE_SECONDS)
    except Exception:  # noqa: BLE001 — Redis down: no help block until it answers and someone logs in
        pass
    return help_


def help_for(caf_id: int | None) -> CafHelp | None:
    if not caf_id:
        return None
    try:
        return cache.get(CACHE_KEY.format(caf_id=caf_id))
    except Exception:  # noqa: BLE001
        return None


def help_ensure_at_login(sender, request, user, **kwargs) -> None:
    """Connected in PortalConfig.ready (user_logged_in): the help of the user's Caf, if the cache lost it."""
    if user.caf_id and help_for(user.caf_id) is None:
        help_reload(user.caf_id)


def caf_saved(sender, instance, **kwargs) -> None:
    """Connected in PortalConfig.ready: a Caf or one of its service contacts changed."""
    caf_id = instance.pk if isinstance(instance, Caf) else instance.caf_id
    transaction.on_commit(lambda: help_reload(caf_id))
