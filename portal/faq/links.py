"""Where an article lives on the web: its URL in each language and what search engines read."""

from flask import url_for

from ..i18n import LANGUAGES
from .services import ArticlePage
from .store import Article


def article_url(article: Article, lang: str, **kwargs) -> str:
    translation = article.translation(lang) or article.source
    return url_for("faq.article", lang=lang, article_id=article.id, slug=translation.slug, **kwargs)


def translation_links(article: Article) -> list[tuple[str, str]]:
    """The article's translations, in the portal's language order, for the switcher."""
    return [
        (code, article_url(article, code)) for code in LANGUAGES if code in article.translations
    ]


def structured_data(page: ArticlePage) -> dict:
    """FAQPage and HowTo JSON-LD for search engines."""
    t = page.translation
    url = article_url(page.article, t.lang, _external=True)
    answer = " ".join(step.text for step in page.rendered.steps)
    return {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "FAQPage",
                "url": url,
                "inLanguage": t.lang,
                "dateModified": t.updated.isoformat(),
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": t.question,
                        "acceptedAnswer": {"@type": "Answer", "text": answer, "url": url},
                    }
                ],
            },
            {
                "@type": "HowTo",
                "name": t.title,
                "inLanguage": t.lang,
                "step": [
                    {
                        "@type": "HowToStep",
                        "position": number,
                        "text": step.text,
                        "url": f"{url}#{step.anchor}",
                    }
                    for number, step in enumerate(page.rendered.steps, start=1)
                ],
            },
        ],
    }
