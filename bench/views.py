"""The floor view: the cheapest page that still reads the database (one row by a unique index)."""

from django.http import HttpResponse

from habilitations.access.decorators import public
from habilitations.models import Caf


@public
def floor(request):
    caf = Caf.objects.only("nom").get(code="061")
    return HttpResponse(caf.nom, content_type="text/plain; charset=utf-8")
