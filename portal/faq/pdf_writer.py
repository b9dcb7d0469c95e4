"""WeasyPrint, loaded only by the workers that print a PDF (see pdf.render)."""

import mimetypes

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .pdf import Places, local_path


class LocalFiles(URLFetcher):
    """Fetch the portal's own files from disk and nothing else.

    The page's stylesheets and the article's images are read where the portal keeps them;
    anything else (another site, a file of another article) is refused, so rendering never
    waits on the network nor reaches a host that a page's text names.
    """

    def __init__(self, places: Places) -> None:
        super().__init__()
        self.places = places

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        path = local_path(url, self.places)
        if path is None:
            raise ValueError(f"not a file of the portal: {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def write_pdf(html: str, base_url: str, places: Places) -> bytes:
    return HTML(string=html, base_url=base_url, url_fetcher=LocalFiles(places)).write_pdf()
