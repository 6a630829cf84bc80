"""Safe redirects: a `next=` target is followed only when it stays on this site."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str) -> str:
    """A `next=` target only if it is a path of this site (never another host, never a view name)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate.startswith("/")
        and not candidate.startswith("//")
        and "\x00" not in candidate
        and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure())
    ):
        return candidate
    return default
