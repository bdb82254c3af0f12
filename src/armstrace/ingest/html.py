"""HTML articles: main text, title, date and outlet via trafilatura.

Navigation, scripts, styles and boilerplate are dropped; `Document.text`
is trafilatura's extracted text, which every evidence offset points into.
"""

from __future__ import annotations

import logging

from armstrace.ingest.base import clip_title, domain_of, without_nul
from armstrace.ingest.dates import find_dateline, normalise_date
from armstrace.model import Document

# trafilatura logs its own misgivings about odd pages at WARNING; our
# failures are reported as IngestFailures instead.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)


class NoMainText(ValueError):
    pass


def document_from_html(html: str, path: str, published: str | None, warnings: list[str]) -> Document:
    """Build a Document from an HTML page; raises NoMainText if nothing is left."""
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    extracted = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        # Dates from the page's metadata only: a date guessed from the body
        # text is as likely a date the article talks about.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = (extracted.text or "").strip() if extracted is not None else ""
    if not text:
        raise NoMainText("no article text found in HTML")
    text = without_nul(text, warnings)
    url = extracted.url or None
    return Document(
        text=text,
        path=path,
        title=clip_title(extracted.title),
        published=normalise_date(extracted.date) or find_dateline(text) or published,
        source=extracted.sitename or domain_of(url),
        url=url,
        warnings=warnings,
    )
