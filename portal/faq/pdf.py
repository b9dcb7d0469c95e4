"""An article's print view as a PDF, as Znuny prints an FAQ item: rendered by WeasyPrint.

Rendering is slow next to an HTML page. Measured on 2026-12-03 (test client, page cache off,
median of 5, the seed article): the print view takes 3-4 ms, its PDF 230 ms in French, 270 ms
in Arabic and 400 ms in Japanese (its font is large), and the first PDF of a worker 0.5-0.7 s
(fonts are loaded). The view is therefore cached like the print view (pagecache, per worker)
and revalidated by ETag; the PDF's bytes depend only on the page, so every worker's ETag agrees.
"""

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from unicodedata import normalize
from urllib.parse import quote, unquote, urljoin

from flask import Response, current_app, request, url_for
from werkzeug.security import safe_join

from .services import article_file, files_url
from .store import Article

# An address's beginning -> the file the rest of it names, or None.
Places = Mapping[str, Callable[[str], Path | None]]


def local_path(url: str, places: Places) -> Path | None:
    """The file an address names, or None for any other address."""
    for start, find in places.items():
        if url.startswith(start):
            return find(unquote(url[len(start) :].split("?")[0].split("#")[0]))
    return None


def static_file(folder: str, name: str) -> Path | None:
    found = safe_join(folder, name)  # None for a name that leaves the folder
    return Path(found) if found and Path(found).is_file() else None


def render(html: str, base_url: str, article: Article) -> bytes:
    """The PDF of an article's page; base_url is the page's own address, for relative links."""
    static = url_for("static", filename="")
    places = {
        urljoin(request.host_url, static): partial(static_file, current_app.static_folder),
        urljoin(request.host_url, files_url(article.id)): partial(article_file, article),
    }
    # Imported here: WeasyPrint takes 0.7 s and some 15 MB to load (Pango, fonts), which only
    # the workers that print a PDF should pay, not every start-up.
    from .pdf_writer import write_pdf

    return write_pdf(html, base_url, places)


def attach(response: Response, filename: str) -> Response:
    """Mark a response as a PDF that browsers show in place and save under filename."""
    response.mimetype = "application/pdf"
    # A header is Latin-1: an imported slug may not be ASCII (RFC 6266's filename* then).
    plain = normalize("NFKD", filename).encode("ascii", "ignore").decode().replace('"', "")
    disposition = f'inline; filename="{plain}"'
    if plain != filename:
        disposition += f"; filename*=UTF-8''{quote(filename)}"
    response.headers["Content-Disposition"] = disposition
    return response
