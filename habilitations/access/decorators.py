"""Access rules declared on views. The access-matrix test reads `view.access_rule` on every URL pattern.

- `public`: no login (the short public list); also reachable while an account's setup is pending.
- `setup_step`: a logged-in user, even before the setup is complete (forced password change, OTP enrolment).
- `authenticated`: any logged-in user whose setup is complete (personal password chosen, second factor done).
- `service_required(S)`, `profile_required(S, P…)`: the rule of access holds today for S (with one of P).
- `rubric_help_required`: CDAP today, and a rubric (the URL's `rubric`) one of the user's CDAP profiles opens.
- `habilitations_manager`: an administrator of an organism or a responsable d'habilitations of a group.
- `admin_of_organism`: an administrator of an organism.
Objects reached by a view go through the scoped querysets of `habilitations.access.querysets`: another
organism's object answers 404.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from habilitations.access import predicates

PUBLIC = "public"
AUTHENTICATED = "authenticated"
SETUP_STEP = "setup_step"
SERVICE = "service"
MANAGER = "habilitations_manager"
ADMIN = "admin_of_organism"


def _mark(view: Callable, rule: str, **details) -> Callable:
    if getattr(view, "access_rule", None) not in (None, rule):
        raise ValueError(f"{view.__name__} already declares the rule {view.access_rule!r}")
    view.access_rule = rule
    view.access_details = details
    return view


def _guard(predicate: Callable, rule: str, **details) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not predicate(request.access):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _mark(wrapper, rule, **details)

    return decorator


def public(view: Callable) -> Callable:
    """Anyone, logged in or not (public pages, login, forgotten password)."""
    return _mark(login_not_required(view), PUBLIC)


def authenticated(view: Callable) -> Callable:
    """Any user with an open account, a personal password and, when required, a verified second factor."""
    return _mark(view, AUTHENTICATED)


def setup_step(view: Callable) -> Callable:
    """A logged-in user who may still have to choose a password or enrol a second factor."""
    return _mark(view, SETUP_STEP)


def service_required(service: str) -> Callable:
    return _guard(lambda access: predicates.can_use_service(access, service), SERVICE, service=service)


def profile_required(service: str, *profiles: str) -> Callable:
    return _guard(
        lambda access: predicates.can_use_profile(access, service, profiles),
        SERVICE,
        service=service,
        profiles=profiles,
    )


def rubric_help_required(view: Callable) -> Callable:
    """The online help of one CDAP rubric, the URL argument `rubric`: refused (403) without CDAP today, like
    `service_required("CDAP")`; 404 when none of the user's CDAP profiles opens that rubric — the same answer as a
    rubric that does not exist, so a masked rubric's help is neither shown nor told apart from nothing."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not predicates.can_use_service(request.access, "CDAP"):
            raise PermissionDenied
        if not predicates.can_read_rubric_help(request.access, kwargs.get("rubric", "")):
            raise Http404("Rubrique inconnue")
        return view(request, *args, **kwargs)

    return _mark(wrapper, SERVICE, service="CDAP", rubric_argument="rubric")


habilitations_manager = _guard(predicates.can_manage_habilitations, MANAGER)
admin_of_organism = _guard(predicates.is_administrator, ADMIN)
