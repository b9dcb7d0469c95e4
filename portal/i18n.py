"""The portal's ten languages, locale selection and the /<lang>/ URL processors."""

import re
from dataclasses import dataclass

from babel import Locale
from flask import Blueprint, abort, current_app, g, request
from flask_babel import format_percent, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # the language named in itself
    og_locale: str  # Open Graph's language_TERRITORY form
    direction: str = "ltr"


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("fr", "Français", "fr_FR"),
        Language("de", "Deutsch", "de_DE"),
        Language("en", "English", "en_US"),
        Language("es", "Español", "es_ES"),
        Language("it", "Italiano", "it_IT"),
        Language("nl", "Nederlands", "nl_NL"),
        Language("pl", "Polski", "pl_PL"),
        Language("sv", "Svenska", "sv_SE"),
        Language("ar", "العربية", "ar_AR", "rtl"),
        Language("ja", "日本語", "ja_JP"),
    )
}
LOCALES = {code: Locale.parse(code) for code in LANGUAGES}

LANG_COOKIE = "lang"


def saved_language() -> str | None:
    """Return the reader's saved language choice, if it is one we serve."""
    code = request.cookies.get(LANG_COOKIE)
    return code if code in LANGUAGES else None


def negotiated_language() -> str:
    """Pick a language for a URL that does not name one."""
    # The reader's explicit choice beats what the browser sends.
    saved = saved_language()
    if saved:
        return saved
    # The browser's Accept-Language; Werkzeug falls back to the primary tag (de-AT -> de).
    best = request.accept_languages.best_match(LANGUAGES.keys())
    if best:
        return best
    return current_app.config["DEFAULT_LOCALE"]


def select_locale() -> Locale:
    """Flask-Babel's locale selector: the URL's language wins, then negotiation."""
    # Parsed once here: Flask-Babel would parse the code again on every request.
    return LOCALES[g.get("lang") or path_language() or negotiated_language()]


def path_language() -> str | None:
    """The /<lang>/ a URL starts with, for pages no view answered (a 404 speaks it)."""
    code = request.path.split("/", 2)[1]
    return code if code in LANGUAGES else None


def page_language() -> str:
    """The language a page is shown in: its URL's, else the one Flask-Babel chose."""
    return g.get("lang") or str(get_locale())


def text_direction(code: str) -> str:
    language = LANGUAGES.get(code)
    return language.direction if language else "ltr"


def localized_blueprint(name: str, import_name: str, prefix: str = "") -> Blueprint:
    """A blueprint under /<lang>/ whose URLs carry the language, as in Flask's URL processors."""
    bp = Blueprint(name, import_name, url_prefix=f"/<lang>{prefix}")

    @bp.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict | None) -> None:
        code = (values or {}).pop("lang", None)
        if code not in LANGUAGES:
            abort(404)
        g.lang = code

    @bp.url_defaults
    def add_lang(endpoint: str, values: dict) -> None:
        if "lang" not in values and g.get("lang"):
            values["lang"] = g.lang

    return bp


def format_share(percent: float) -> str:
    """A percentage with two decimals in the reader's conventions: 66.67%, 66,67 %, ٦٦٫٦٧٪."""
    pattern = get_locale().percent_formats[None].pattern.split(";")[0]
    two_decimals = re.sub(r"0(?=[^0#]*$)", "0.00", pattern, count=1)
    return format_percent(percent / 100, two_decimals)


def template_gettext() -> dict:
    """gettext and ngettext bound to the catalog of this render, for Jinja's i18n extension.

    Flask-Babel's own callables look the catalog up again on each of a page's dozens of
    strings. The catalog is taken when rendering starts, so force_locale() still applies.
    The behaviour is Jinja's "newstyle" gettext: escaped, always %-formatted.
    Measured on 2026-12-02 (test client, uncached pages, median of 7 x 50 requests, two
    runs): the self-service page takes 2.4-2.8 ms with this and 3.4-4.5 ms with Flask-Babel's
    callables, the token article for a logged-in merchant 3.7-4.2 ms against 4.4-6.1 ms; the
    self-service page already misses its speed target, so the difference matters there.
    """
    catalog = get_translations()

    @pass_context
    def gettext(context, string: str, **variables) -> str:
        return translated(context, catalog.ugettext(string), variables)

    @pass_context
    def ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        return translated(context, catalog.ungettext(singular, plural, num), variables)

    return {"gettext": gettext, "ngettext": ngettext}


def translated(context, text: str, variables: dict) -> str:
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables
