"""« Habilitations non utilisées depuis 12 mois » (guide 000: the administrator « s'assure que chaque utilisateur se
connecte au moins une fois par an au(x) service(s) auxquels il a été habilité »): the memberships whose services the
member has not used for 12 months, each with « Clôturer » through the membership's own screen (services.
membership_close, journaled). A responsable sees those of their groups."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.pagination import paginate
from habilitations import selectors
from habilitations.access import querysets
from habilitations.access.decorators import habilitations_manager


@habilitations_manager
@require_GET
def unused_memberships(request, convention_id):
    """A constant number of queries whatever the number of memberships: the count, the page, its services, their
    last uses."""
    access = request.access
    convention = querysets.convention_for_manager(access, convention_id)
    today = timezone.localdate()
    memberships = selectors.unused_memberships(day=today, groups=querysets.groups_visible(access, convention))
    page = paginate(request, memberships)
    services = selectors.unused_services_of(page.object_list, day=today)
    return render(
        request,
        "habilitations/memberships/unused.html",
        {
            "convention": convention,
            "page": page,
            "rows": [(membership, services.get(membership.pk, [])) for membership in page],
            "cutoff": selectors.use_cutoff(today),
            "next": request.get_full_path(),
        },
    )
