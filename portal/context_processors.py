from django.conf import settings
from django.urls import reverse

from habilitations.access.predicates import can_use_profile
from portal.banners import banners_shown
from portal.help import help_for

# The "GESTION DES HABILITATIONS" submenu (guide 001): url name, label. "Mes tableaux de bord" comes later.
HABILITATIONS_MENU = [
    ("habilitations:organisms", "Mes organismes"),
    ("habilitations:conventions", "Mes conventions"),
    ("habilitations:my_users", "Mes utilisateurs (interne)"),
    ("habilitations:partner_types", "Les types de partenaires"),
]
# Screens of the section that belong to an entry other than "Mes conventions" (its users, groups, PDF …).
HABILITATIONS_MENU_SECTIONS = {
    "organisms": "habilitations:organisms",
    "partner_types": "habilitations:partner_types",
}
# The services whose screens are built: code → URL name of their entry page (tile and menu).
SERVICE_URLS = {
    "CDAP": "cdap:search",
    "SUPERVISION_CDAP": "supervision_cdap:consultations",
    "ADONIS": "adonis:accueil",
    "AFAS": "afas:accueil",
    "BAILLEUR": "bailleur:accueil",
    # Not built yet: the service's page says what it will offer and whom to contact (portal.views.services).
    "DGFIP": "portal:service_dgfip",
    "SUPERVISION_DGFIP": "portal:service_supervision_dgfip",
}


# The screens of AFAS's « Administration des profils » entry.
AFAS_PROFILS_SCREENS = {"profils", "habiliter", "role_end"}


def service_url(code: str) -> str | None:
    name = SERVICE_URLS.get(code)
    return reverse(name) if name else None


def portal(request):
    """Layout data: the session timers for the "Prolonger ma session" warning, and the left menu."""
    return {
        "session_idle_seconds": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
        "session_warning_seconds": int(settings.SESSION_WARNING_BEFORE.total_seconds()),
        "menu_items": menu_items(request),
        # From the cache only (portal.banners): a page never queries them.
        "banners": banners_shown(getattr(request, "user", None)),
        **help_context(request),
    }


def current_service(request) -> str | None:
    """The service whose page this is (its URLs' namespace, or the page itself for a service not built yet)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    for code, name in SERVICE_URLS.items():
        namespace = name.split(":")[0]
        if (namespace != "portal" and match.namespace == namespace) or match.view_name == name:
            return code
    return None


def help_context(request) -> dict:
    """« BESOIN D'AIDE ? » of the user's Caf and, on a service's pages, its contact for that service (cache only)."""
    user = getattr(request, "user", None)
    access = getattr(request, "access", None)
    if user is None or not user.is_authenticated or access is None:
        return {}
    # « Questions / Réponses » on every logged-in page, so in the Aide of every service (its rubrique on a service's).
    service = current_service(request)
    faq_url = reverse("portal:faq") + ("#rubrique-services" if service else "")
    links = [(faq_url, "Questions / Réponses")]
    links.append((reverse("portal:caf_contact"), "Contacter ma Caf"))
    if access.is_administrator:
        links.append((reverse("portal:administrator_change"), "Signaler un changement d'administrateur"))
    help_ = help_for(user.caf_id)
    if help_ is None:
        return {"help_links": links}
    return {
        "caf_help": help_,
        "service_contact": help_.contacts.get(service) if service else None,
        "help_links": links,
    }


def services_today(access) -> list[tuple[str, str]]:
    """(code, libellé) of the services the rule of access opens today, in the reference order, without a query:
    the access context's grants come ordered by Service.ordre and carry the service's libellé."""
    return list(dict.fromkeys((grant.service, grant.service_libelle) for grant in access.grants))


def menu_items(request) -> list[dict]:
    """GESTION DES HABILITATIONS for administrators and responsables, then one entry per service usable today.

    Fed by `request.access` only (computed once per request): no other query. Service screens come with their
    own apps; until then a service entry leads to its tile on the home page, which says so."""
    user = getattr(request, "user", None)
    access = getattr(request, "access", None)
    if access is None or user is None or not user.is_authenticated:
        return []
    items = []
    if user.is_staff:
        items.append({"url": reverse("admin:index"), "label": "ADMINISTRATION CAF", "current": False, "children": []})
    if access.manages_habilitations:
        match = getattr(request, "resolver_match", None)
        in_section = match is not None and match.namespace == "habilitations"
        current = HABILITATIONS_MENU_SECTIONS.get(match.url_name, "habilitations:conventions") if in_section else None
        items.append(
            {
                "url": reverse("habilitations:index"),
                "label": "GESTION DES HABILITATIONS",
                "current": in_section,
                "children": [_child(request, name, label, current) for name, label in HABILITATIONS_MENU],
            }
        )
    home = reverse("portal:home")
    here = current_service(request)
    for code, libelle in services_today(access):
        url = service_url(code) or f"{home}#service-{code}"
        # The entry of the service whose page this is: aria-current "page" on its entry page, "true" on its others;
        # base.html also names it under "MON COMPTE PARTENAIRE".
        current = ("page" if request.path == url else "true") if code == here else False
        children = service_children(request, code, access) if code == here else []
        items.append({"url": url, "label": libelle.upper(), "current": current, "children": children})
    return items


def service_children(request, code: str, access) -> list[dict]:
    """A service's submenu, on its pages: AFAS's (guide 002) « Accueil AFAS » and, for its AFAS-HABILITER users,
    « Administration des profils » (the same rule as the screen's, habilitations.access.predicates)."""
    if code != "AFAS":
        return []
    entries = [("afas:accueil", "Accueil AFAS")]
    if can_use_profile(access, "AFAS", ["AFAS-HABILITER"]):
        entries.append(("afas:profils", "Administration des profils"))
    match = getattr(request, "resolver_match", None)
    current = "afas:profils" if match is not None and match.url_name in AFAS_PROFILS_SCREENS else "afas:accueil"
    return [_child(request, name, label, current) for name, label in entries]


def _child(request, name: str, label: str, current: str | None) -> dict:
    """A submenu entry; `current` is its aria-current value: "page" on the entry's own page, "true" on the other
    screens of its part of the section (a convention's users, its groups …), else None."""
    url = reverse(name)
    state = ("page" if request.path == url else "true") if name == current else None
    return {"url": url, "label": label, "current": state}
