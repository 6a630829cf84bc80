"""Pagination of the lists: `paginate` gives the page asked, `templates/components/pagination.html` shows it in French
("Page 1 sur 4 — 87 résultats", never "of") with links that keep the filters."""

from django.core.paginator import Page, Paginator

PAGE_SIZE = 25


def paginate(request, object_list, per_page: int = PAGE_SIZE) -> Page:
    """The page of `object_list` asked by `?page=`: a malformed number gives the first page, one too large the last,
    never an error. `object_list` is best an ordered queryset (one COUNT, one slice)."""
    return Paginator(object_list, per_page).get_page(request.GET.get("page"))
