from django.utils.functional import SimpleLazyObject

from habilitations.access.context import access_context_for


class AccessContextMiddleware:
    """`request.access`: what the user may do today, computed at first use, once per request (never cached
    across requests: a closed membership, group, grant, user or convention takes effect on the next one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.access = SimpleLazyObject(lambda: access_context_for(request.user))
        return self.get_response(request)
