"""The translation dashboard: each article in each language against its source, what changed
in the source since a translation was made, and the reviews due. The FAQ computes it all."""

import csv
import io

from flask import Response, abort, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from .. import faq
from .views import bp, staff_required

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@bp.get("/translations")
@staff_required
def translations() -> ResponseReturnValue:
    """Every article × language: up to date, outdated (by how much) or not translated."""
    filters = faq.read_filters(request.args)
    page = render_template(
        "support/translations.html",
        # A category or language that does not exist: the whole table, and why.
        overview=faq.translation_overview(g.lang, filters or faq.Filters()),
        categories=faq.category_names(g.lang),
        filter_error=None if filters else _("Choose a category and a language from the lists."),
    )
    return page, 200 if filters else 400


@bp.get("/translations.csv")
@staff_required
def translations_csv() -> ResponseReturnValue:
    """The same table, one row per article and language, for a spreadsheet."""
    filters = faq.read_filters(request.args)
    if filters is None:
        abort(400)
    overview = faq.translation_overview(g.lang, filters)
    name = f"translations-{overview.today.isoformat()}.csv"
    return Response(
        # The byte order mark tells spreadsheets the file is UTF-8 (Arabic, Japanese titles).
        "\ufeff" + as_csv(overview, faq.category_names(g.lang)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def as_csv(overview: faq.Overview, categories: dict[str, str]) -> str:
    """A header row, then one row per article and language."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Article ID"),
            _("Article title"),
            _("Category path"),
            _("Language"),
            _("Translation status"),
            _("Source revisions behind"),
            _("Translated from revision"),
            _("Source revision"),
            _("Review by"),
        ]
    )
    for row in overview.rows:
        for cell in row.cells:
            text = cell.translation
            writer.writerow(
                [
                    row.article.id,
                    spreadsheet_safe((text or row.article.source).title),
                    spreadsheet_safe(categories[row.article.category]),
                    cell.lang,
                    cell.label,
                    cell.behind if text else "",
                    text.source_revision if text and not text.is_source else "",
                    row.article.revision,
                    text.review_by.isoformat() if text and text.review_by else "",
                ]
            )
    return out.getvalue()


def spreadsheet_safe(value: str) -> str:
    """A text that a spreadsheet shows as text and never runs (OWASP: CSV injection)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


@bp.get("/translations/<int:article_id>/<target>")
@staff_required
def translation_diff(article_id: int, target: str) -> ResponseReturnValue:
    """What changed in the source since the translation into target was made."""
    changes = faq.source_changes(article_id, target)
    if changes is None:
        abort(404)
    return render_template("support/translation_diff.html", changes=changes)
