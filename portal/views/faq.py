"""« Questions / Réponses » (webinar 004:938): public, searchable; the agents write it in the admin."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from habilitations.access.decorators import public
from portal import faq
from portal.faq_forms import FaqSearchForm


@public
@require_GET
def questions_reponses(request):
    """Every published question by rubrique, or those a search finds (two queries at most: the list, nothing else).
    An invalid search shows its French message and every question."""
    form = FaqSearchForm(request.GET or None)
    query, rubrique = "", ""
    if form.is_bound and form.is_valid():
        query, rubrique = form.cleaned_data["q"], form.cleaned_data["rubrique"]
    entries = list(faq.published_entries(query, rubrique or None))
    return render(
        request,
        "portal/public/questions_reponses.html",
        {
            "form": form,
            "query": query,
            "searching": bool(query or rubrique),
            "rubriques": faq.by_rubrique(entries),
            "count": len(entries),
        },
    )
