"""The benchmark's 1,000 articles in ten languages, moved over from Znuny as a help center would
be: a generated Znuny database (1,000 items in French, each linked to its nine translations),
then `flask faq import-znuny`. The texts are the token article's, with varied words."""

import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from portal.faq.render import LIVE_BOX_HTML, render_markdown
from portal.faq.store import split_front_matter
from tests.znuny_schema import FAQ_OBJECT, PUBLIC, add_lookups, create_znuny

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("fr", "de", "en", "es", "it", "nl", "pl", "sv", "ar", "ja")
WORDS = ["stock", "prix", "commande", "Versand", "factura", "spedizione", "levering", "zamówienie",
         "lager", "配送", "شحن", "retour", "EAN", "variante", "catalogue"]  # fmt: skip
FIRST_ID = 10000  # the French items, which become the articles: /faq/10000 ... /faq/10999


def token_article() -> dict[str, tuple[str, str]]:
    """Each language's title and HTML, as Znuny's rich text editor would hold them."""
    texts = {}
    for path in (ROOT / "faq" / "2763-amazon-token").glob("*.md"):
        head, body = split_front_matter(path, path.read_text(encoding="utf-8"))
        title = re.search(r'^title = "(.*)"$', head, re.M).group(1)
        rendered = render_markdown(body, "Connector")
        texts[path.stem] = (title, str(rendered.before + rendered.after).replace(LIVE_BOX_HTML, ""))
    return texts


def item_id(number: int, lang: str) -> int:
    """The French item keeps the article's number; its translations are numbered apart."""
    position = LANGUAGES.index(lang)
    return FIRST_ID + number if position == 0 else 20000 + number * 10 + position


def znuny_database(url: str, articles: int) -> None:
    engine = sa.create_engine(url)
    tables = create_znuny(engine).tables
    texts = token_article()
    created = datetime(2020, 1, 1)
    with engine.begin() as connection:
        add_lookups(connection, tables, {i: code for i, code in enumerate(LANGUAGES, 1)})
        connection.execute(tables["faq_category"].insert(), [
            dict(id=1, parent_id=0, name="Amazon", valid_id=1, created=created, created_by=1,
                 changed=created, changed_by=1)
        ])  # fmt: skip
        for number in range(articles):
            extra = " ".join(WORDS[(number + k) % len(WORDS)] for k in range(5))
            items = [
                item_row(number, lang, position, texts[lang], extra, created)
                for position, lang in enumerate(LANGUAGES)
            ]
            connection.execute(tables["faq_item"].insert(), items)
            connection.execute(tables["link_relation"].insert(), [
                dict(source_object_id=FAQ_OBJECT, source_key=str(item_id(number, "fr")),
                     target_object_id=FAQ_OBJECT, target_key=str(row["id"]), type_id=1,
                     state_id=1, create_time=created, create_by=1)
                for row in items[1:]
            ])  # fmt: skip
    engine.dispose()


def item_row(number, lang, position, text, extra, created) -> dict:
    title, html = text
    # The French item is the oldest of its group: it becomes the source.
    when = created + timedelta(minutes=number * 10 + position)
    return dict(
        id=item_id(number, lang), f_number=f"100{item_id(number, lang)}",
        f_name=f"item-{number}-{lang}", f_subject=f"{title} {number} {extra}",
        f_language_id=position + 1, state_id=PUBLIC, category_id=1, approved=1, valid_id=1,
        content_type="text/html", f_keywords="Amazon token SP-API",
        f_field1=f"<p>{extra} {number}</p>", f_field3=html,
        created=when, created_by=1, changed=when, changed_by=1,
    )  # fmt: skip


def corpus(work: Path, env: dict, articles: int = 1000) -> Path:
    """Import the generated Znuny FAQ into work/faq (the portal's categories to start from)."""
    target = work / "faq"
    target.mkdir()
    (target / "categories.toml").write_bytes((ROOT / "faq" / "categories.toml").read_bytes())
    url = f"sqlite:///{work / 'znuny.db'}"
    znuny_database(url, articles)
    command = [sys.executable, "-m", "flask", "--app", "portal", "faq", "import-znuny",
               "--database", url, "--faq-dir", str(target)]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    print(result.stdout.strip().splitlines()[0])
    return target
