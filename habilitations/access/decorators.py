"""Access rules declared on views. The access-matrix test reads `view.access_rule` on every URL pattern.

- `public`: no login (the short public list); also reachable while an account's setup is pending.
- `authenticated`: any logged-in user whose setup is complete (personal password chosen, second factor done).
- `setup_step`: a logged-in user, even before the setup is complete (forced password change, OTP enrolment).
"""

from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required

PUBLIC = "public"
AUTHENTICATED = "authenticated"
SETUP_STEP = "setup_step"


def _mark(view: Callable, rule: str) -> Callable:
    if getattr(view, "access_rule", None) not in (None, rule):
        raise ValueError(f"{view.__name__} already declares the rule {view.access_rule!r}")
    view.access_rule = rule
    return view


def public(view: Callable) -> Callable:
    """Anyone, logged in or not (public pages, login, forgotten password)."""
    return _mark(login_not_required(view), PUBLIC)


def authenticated(view: Callable) -> Callable:
    """Any user with an open account, a personal password and, when required, a verified second factor."""
    return _mark(view, AUTHENTICATED)


def setup_step(view: Callable) -> Callable:
    """A logged-in user who may still have to choose a password or enrol a second factor."""
    return _mark(view, SETUP_STEP)
