"""The shared pagination (core.pagination + templates/components/pagination.html): French wording, "Page 1 sur 4",
never "of"; links that keep the filters and change the page only; a malformed or too large page number."""

import re

from django.template.loader import render_to_string
from django.test import RequestFactory

from core.pagination import paginate


def rendered(query: str = "", count: int = 87, per_page: int = 25, **context) -> str:
    request = RequestFactory().get(f"/liste/{query}")
    page = paginate(request, list(range(count)), per_page)
    html = render_to_string("components/pagination.html", {"page": page, **context}, request=request)
    return re.sub(r"[ \n]+", " ", html)  # keeps the non-breaking spaces


def test_the_status_reads_page_n_sur_total_in_french():
    html = rendered("?page=2")
    assert "Page 2 sur 4 — 87 résultats" in html
    assert " of " not in html and "(2" not in html


def test_the_links_keep_the_filters_and_change_the_page():
    html = rendered("?nom=Lagare&groupe=3&page=2")
    assert 'href="?nom=Lagare&amp;groupe=3&amp;page=1">Première page' in html
    assert 'href="?nom=Lagare&amp;groupe=3&amp;page=1" rel="prev">Page précédente' in html
    assert 'href="?nom=Lagare&amp;groupe=3&amp;page=3" rel="next">Page suivante' in html
    assert 'href="?nom=Lagare&amp;groupe=3&amp;page=4">Dernière page' in html


def test_a_malformed_page_gives_the_first_one_too_large_the_last():
    assert "Page 1 sur 4 —" in rendered("?page=abc")
    assert "Page 4 sur 4 —" in rendered("?page=999")
    first = rendered("?page=abc")
    assert "Page précédente" not in first and "Page suivante" in first


def test_one_result_is_singular_and_thousands_are_grouped():
    assert "Page 1 sur 1 — 1 résultat<" in rendered(count=1)
    assert "Page 1 sur 48 — 1\u00a0200 résultats" in rendered(count=1200)


def test_under_the_table_only_when_there_are_several_pages():
    assert "pagination" not in rendered(count=10, bottom=True)
    assert 'aria-label="Pagination (bas de la liste)"' in rendered(count=30, bottom=True)
    assert rendered(count=0).strip() == ""
