"""PDF documents (convention, later the attestation de paiement) rendered by WeasyPrint, without any network.

The documents hold partner and beneficiary data: WeasyPrint must never fetch a URL found in the HTML. The
fetcher below serves only files of our static directories (`{% static %}` URLs, or file:// URLs inside them)
and `data:` URLs; everything else is refused (the resource is then left out of the document).
"""

import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

_thread = threading.local()


def font_config() -> FontConfiguration:
    """This thread's WeasyPrint font configuration, created on first use and kept for the next documents.

    WeasyPrint builds a new one per document by default: fontconfig's configuration and font list are parsed again
    (about a third of a one-line page's cost) and the new Pango font map starts cold (faces opened and measured
    again). Kept, the fonts the documents use stay loaded (a few faces: each template names one family; an
    @font-face file, if a template had one, would be stored once in its temporary folder and stay known). Pango
    font maps are not thread-safe, hence one per thread (gunicorn's sync workers: one per process)."""
    config = getattr(_thread, "font_config", None)
    if config is None:
        config = _thread.font_config = FontConfiguration()
    return config


def static_roots() -> list[Path]:
    """The directories whose files a PDF may embed: STATICFILES_DIRS, then STATIC_ROOT (collected files)."""
    roots = [Path(entry[1] if isinstance(entry, tuple | list) else entry) for entry in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots if root.is_dir()]


def _inside_static(relative: str) -> Path | None:
    """The first existing file `relative` under a static root, never outside it (no "..", no symlink escape)."""
    for root in static_roots():
        candidate = (root / relative.lstrip("/")).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


class StaticOnlyURLFetcher(URLFetcher):
    """Serves `<origin><STATIC_URL>path` and file:// URLs inside the static roots from disk; refuses the rest."""

    def __init__(self, origin: str):
        super().__init__(fail_on_errors=False)
        self.origin = origin  # "http://host:port" of base_url: static URLs under another host are refused
        self.static_path = urlsplit(settings.STATIC_URL).path

    def local_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https"):
            if f"{parts.scheme}://{parts.netloc}" != self.origin or not parts.path.startswith(self.static_path):
                return None
            return _inside_static(unquote(parts.path[len(self.static_path) :]))
        if parts.scheme == "file" and not parts.netloc:
            path = Path(url2pathname(parts.path)).resolve()
            for root in static_roots():
                if path.is_relative_to(root) and path.is_file():
                    return path
        return None

    def fetch(self, url, headers=None):
        if urlsplit(url).scheme == "data":
            return super().fetch(url, headers)  # decoded in memory by urllib's DataHandler: no I/O
        path = self.local_path(url)
        if path is None:
            raise ValueError(f"Ressource refusée dans un PDF (hors fichiers statiques) : {url[:200]}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime_type})


def _stylesheet(relative: str, fetcher: URLFetcher) -> CSS | None:
    """The static CSS file `relative` (e.g. "pdf/attestation.css") if there is one, parsed once per thread and kept
    while the file is unchanged (an inline <style> is parsed and its selectors compiled again for every document)."""
    path = _inside_static(relative)
    if path is None:
        return None
    cache = getattr(_thread, "stylesheets", None)
    if cache is None:
        cache = _thread.stylesheets = {}
    key = (str(path), path.stat().st_mtime_ns)
    parsed = cache.get(key)
    if parsed is None:
        parsed = cache[key] = CSS(
            string=path.read_text(encoding="utf-8"),
            base_url=path.as_uri(),
            url_fetcher=fetcher,
            font_config=font_config(),
        )
    return parsed


def render_pdf(template: str, context: dict, *, base_url: str | None = None) -> bytes:
    """Render `template` with `context` (no request: no user data beyond the context) into PDF bytes.

    Relative URLs resolve against `base_url` (the portal's own address by default), so `{% static %}` works.
    A static CSS file of the template's path and name (templates/pdf/attestation.html → static/pdf/attestation.css)
    is applied to the document, parsed once. The PDF is tagged (structure tree of headings, paragraphs, lists and
    tables, the document's language, its title shown by the reader): assistive technologies read it in order (RGAA
    for downloadable documents); it costs about 4 % of an attestation's render."""
    return render_pdf_series(template, [context], base_url=base_url)


def render_pdf_series(template: str, contexts: list[dict], *, base_url: str | None = None) -> bytes:
    """One PDF of `template` rendered for each context in turn, each starting on a new page (WeasyPrint's documents
    combined, with the metadata of the first): the attestations a Caf agent prints in one go. As render_pdf."""
    base_url = base_url or settings.PORTAL_BASE_URL.rstrip("/") + "/"
    parts = urlsplit(base_url)
    fetcher = StaticOnlyURLFetcher(origin=f"{parts.scheme}://{parts.netloc}")
    css = _stylesheet(str(Path(template).with_suffix(".css")), fetcher)
    documents = [
        HTML(string=render_to_string(template, context), base_url=base_url, url_fetcher=fetcher).render(
            font_config=font_config(), stylesheets=[css] if css else None
        )
        for context in contexts
    ]
    combined = documents[0] if len(documents) == 1 else documents[0].copy([p for d in documents for p in d.pages])
    return combined.write_pdf(pdf_tags=True)
