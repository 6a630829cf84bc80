"""The information banners (habilitations.InformationBanner) shown on every page, read from the cache only.

A page never queries them: the banners not yet ended are kept in the cache, rewritten whenever an agent publishes,
changes or ends one, and reloaded at each login when the cache lost them (Redis restarted). Which of them show is
decided per request from the clock and the user's Caf, in Python."""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from habilitations.models import InformationBanner

CACHE_KEY = "portal:banners:v1"
# A day at most: the list is rewritten on every change, this only bounds what a lost invalidation could leave.
CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Banner:
    pk: int
    caf_id: int | None
    caf_nom: str
    niveau: str
    titre: str
    message: str
    debut: datetime
    fin: datetime

    @property
    def national(self) -> bool:
        return self.caf_id is None


def banners_reload() -> list[Banner]:
    """Reads the banners not yet ended (one query) and writes them to the cache."""
    now = timezone.now()
    banners = [
        Banner(b.pk, b.caf_id, b.caf.nom if b.caf else "", b.niveau, b.titre, b.message, b.debut, b.fin)
        for b in InformationBanner.objects.filter(fin__gt=now).select_related("caf").order_by("debut", "pk")
    ]
    try:
        cache.set(CACHE_KEY, banners, CACHE_SECONDS)
    except Exception:  # noqa: BLE001 — Redis down: the banners show again once it answers and someone logs in
        pass
    return banners


def banners_ensure() -> None:
    """At login: reload the banners if the cache lost them."""
    try:
        missing = cache.get(CACHE_KEY) is None
    except Exception:  # noqa: BLE001
        return
    if missing:
        banners_reload()


def banners_shown(user=None, *, now=None) -> list[Banner]:
    """The banners shown now: the national ones, and those of the user's Caf for a logged-in user."""
    try:
        banners = cache.get(CACHE_KEY) or []
    except Exception:  # noqa: BLE001
        return []
    now = now or timezone.now()
    caf_id = getattr(user, "caf_id", None) if user is not None and user.is_authenticated else None
    return [b for b in banners if b.debut <= now < b.fin and (b.caf_id is None or b.caf_id == caf_id)]


def banner_saved(sender, instance, **kwargs) -> None:
    """Connected in PortalConfig.ready: the cache follows every change of a banner, once committed."""
    transaction.on_commit(banners_reload)


def banners_ensure_at_login(sender, request, user, **kwargs) -> None:
    """Connected in PortalConfig.ready (user_logged_in)."""
    banners_ensure()
