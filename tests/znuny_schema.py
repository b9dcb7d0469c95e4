"""Znuny's FAQ tables as its FAQ package creates them (FAQ.sopm, <DatabaseInstall>), and the core
link tables (Znuny's scripts/database/schema.xml), built with SQLAlchemy Core; and a FAQ to
import from them.

Znuny's XML types: SMALLINT, INTEGER, BIGINT, VARCHAR(n), DATE (a date and time) and LONGBLOB,
which is a blob on MySQL and SQLite but text holding base64 on PostgreSQL (Znuny's
GetDatabaseFunction('DirectBlob') is off there: Kernel/System/FAQ.pm encodes the content).
"""

import base64
import shutil
import struct
import zlib
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import BigInteger, Column, DateTime, Integer, SmallInteger, String, Table

from tests.helpers import ROOT


def id_column(kind=Integer) -> Column:
    # SQLite numbers only an INTEGER primary key by itself.
    return Column("id", kind().with_variant(Integer, "sqlite"), primary_key=True)


def audit_columns() -> list[Column]:
    return [
        Column("created", DateTime, nullable=False),
        Column("created_by", Integer, nullable=False),
        Column("changed", DateTime, nullable=False),
        Column("changed_by", Integer, nullable=False),
    ]


def znuny_metadata(dialect: str) -> sa.MetaData:
    """The tables of FAQ.sopm and of Znuny's link mechanism, for a database of that dialect."""
    blob = sa.Text if dialect == "postgresql" else sa.LargeBinary
    metadata = sa.MetaData()
    Table(
        "faq_language",
        metadata,
        id_column(SmallInteger),
        Column("name", String(200), nullable=False, unique=True),
    )
    Table(
        "faq_state_type",
        metadata,
        id_column(SmallInteger),
        Column("name", String(200), nullable=False, unique=True),
    )
    Table(
        "faq_state",
        metadata,
        id_column(SmallInteger),
        Column("name", String(200), nullable=False, unique=True),
        Column("type_id", Integer, nullable=False, index=True),
    )
    Table(
        "faq_category",
        metadata,
        id_column(),
        Column("parent_id", Integer, nullable=False, index=True),
        Column("name", String(200), nullable=False, index=True),
        Column("comments", String(200)),
        Column("valid_id", SmallInteger, nullable=False, index=True),
        *audit_columns(),
    )
    Table(
        "faq_item",
        metadata,
        id_column(),
        Column("f_number", String(200), nullable=False),
        Column("f_subject", String(200)),
        Column("f_name", String(200), nullable=False),
        Column("f_language_id", SmallInteger, nullable=False),
        Column("state_id", SmallInteger, nullable=False, index=True),
        Column("category_id", SmallInteger, nullable=False, index=True),
        Column("approved", SmallInteger, nullable=False, server_default="1"),
        Column("valid_id", SmallInteger, nullable=False, server_default="1", index=True),
        Column("content_type", String(250), nullable=False, server_default="text/html"),
        Column("f_keywords", String(400)),
        *(Column(f"f_field{n}", String(20000)) for n in range(1, 7)),
        *audit_columns(),
    )
    Table(
        "faq_attachment",
        metadata,
        id_column(BigInteger),
        Column("faq_id", BigInteger, nullable=False, index=True),
        Column("filename", String(250)),
        Column("content_size", String(30)),
        Column("content_type", String(250)),
        Column("content", blob, nullable=False),
        Column("inlineattachment", SmallInteger, nullable=False, server_default="0"),
        *audit_columns(),
    )
    Table(
        "faq_voting",
        metadata,
        id_column(BigInteger),
        Column("created_by", String(200), nullable=False),
        Column("item_id", Integer, nullable=False, index=True),
        Column("interface", String(80)),
        Column("ip", String(50)),
        Column("rate", Integer, nullable=False),
        Column("created", DateTime),
    )
    Table(
        "link_object",
        metadata,
        id_column(SmallInteger),
        Column("name", String(100), nullable=False, unique=True),
    )
    for name in ("link_type", "link_state"):
        Table(
            name,
            metadata,
            id_column(SmallInteger),
            Column("name", String(50), nullable=False, unique=True),
            Column("valid_id", SmallInteger, nullable=False),
            Column("create_time", DateTime, nullable=False),
            Column("create_by", Integer, nullable=False),
            Column("change_time", DateTime, nullable=False),
            Column("change_by", Integer, nullable=False),
        )
    Table(
        "link_relation",
        metadata,
        Column("source_object_id", SmallInteger, nullable=False),
        Column("source_key", String(50), nullable=False),
        Column("target_object_id", SmallInteger, nullable=False),
        Column("target_key", String(50), nullable=False),
        Column("type_id", SmallInteger, nullable=False),
        Column("state_id", SmallInteger, nullable=False),
        Column("create_time", DateTime, nullable=False),
        Column("create_by", Integer, nullable=False),
        sa.UniqueConstraint(
            "source_object_id",
            "source_key",
            "target_object_id",
            "target_key",
            "type_id",
            name="link_relation_view",
        ),
    )
    return metadata  # fmt: skip


def tiny_png() -> bytes:
    """A real PNG: one orange pixel."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8 bits, truecolour
    pixels = zlib.compress(b"\x00\xff\x80\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = tiny_png()
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
EN, DE, FR, RU = 1, 2, 3, 4
INTERNAL, EXTERNAL, PUBLIC = 1, 2, 3  # faq_state ids, one per state type
FAQ_OBJECT, TICKET_OBJECT = 2, 1
IMAGE_URL = "index.pl?Action=AgentFAQZoom;Subaction=DownloadAttachment;ItemID=101;FileID=1"

SYMPTOM_FR = (
    "<p>Les stocks ne sont plus mis &agrave; jour. La synchronisation s&#39;arr&ecirc;te.</p>"
)
PROBLEM_FR = (
    "<h1>Le token</h1><p>Le token a expir&eacute; &amp; doit &ecirc;tre renouvel&eacute;&nbsp;:"
    ' voir le tableau.</p><table border="1"><tbody>'
    "<tr><td>&Eacute;tat</td><td>Signification</td></tr>"
    "<tr><td>Actif</td><td>Tout va bien</td></tr>"
    "<tr><td>Expir&eacute;</td><td>&Agrave; renouveler</td></tr></tbody></table>"
)
SOLUTION_FR = (
    "<ol><li>Ouvrez <strong>Amazon &gt; Configuration</strong>.</li>"
    "<li>Cliquez sur <em>Renouveler</em>.</li></ol>"
    "<ul><li>Valable un an</li><li>Rappel par e-mail<ul><li>un mois avant</li></ul></li></ul>"
    '<p>Voir <a href="https://sellercentral.amazon.fr/apps/manage">Seller Central</a> et le '
    "code&nbsp;: <code>MD1000</code></p><pre>GET /token?id=42\n  &lt;status&gt;</pre>"
    f'<p><img alt="Bouton Renouveler" src="{IMAGE_URL}" /></p>'
    '<p>Voir aussi <a href="index.pl?Action=AgentFAQZoom;ItemID=109">les prix</a>.</p>'
)
COMMENT_FR = (
    "<p>Si l'erreur <b>MD1000</b> appara&icirc;t, transmettre &agrave; l'&eacute;quipe.</p>"
)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day)


CATEGORIES = [  # id, parent, name
    (1, 0, "Produits"), (2, 1, "Amazon"), (3, 2, "Configuration & API"), (4, 0, "Interne"),
    (5, 0, "Misc"), (6, 0, "Produkte"), (7, 6, "Amazon"), (8, 7, "Konfiguration & API"),
]  # fmt: skip

ITEMS = [
    dict(id=101, f_language_id=FR, f_subject="Générer le token Amazon", category_id=3,
         state_id=PUBLIC, f_keywords="Amazon, token; SP-API  renouvellement",
         f_field1=SYMPTOM_FR, f_field2=PROBLEM_FR, f_field3=SOLUTION_FR, f_field6=COMMENT_FR,
         created=at("2020-01-10 08:00:00"), changed=at("2024-03-01 09:30:00")),
    dict(id=102, f_language_id=DE, f_subject="Amazon-Token erstellen", category_id=8,
         state_id=PUBLIC, f_keywords="Amazon Token",
         f_field1="<p>Die Best&auml;nde werden nicht mehr aktualisiert.</p>",
         f_field3="<ol><li>&Ouml;ffnen Sie <strong>Amazon</strong>.</li>"
                  "<li>Klicken Sie auf <em>Erneuern</em>.</li></ol>",
         created=at("2020-02-01 08:00:00"), changed=at("2024-02-01 10:00:00")),
    dict(id=103, f_language_id=EN, f_subject="Generate the Amazon token", category_id=3,
         state_id=PUBLIC, f_keywords="Amazon,token",
         f_field1="<p>Stock levels are no longer updated.</p>",
         f_field3="<ol><li>Open <strong>Amazon</strong>.</li><li>Click <em>Renew</em>.</li></ol>",
         f_field4="<p>Hidden field four.</p>",
         created=at("2020-03-01 08:00:00"), changed=at("2024-01-15 11:00:00")),
    dict(id=104, f_language_id=FR, f_subject="Procédure interne de support", category_id=4,
         state_id=INTERNAL, f_field1="<p>R&eacute;serv&eacute; au support.</p>",
         f_field6="<p>Ne pas diffuser.</p>",
         created=at("2021-01-01 08:00:00"), changed=at("2023-05-05 12:00:00")),
    dict(id=105, f_language_id=EN, f_subject="Prices for customers", category_id=2,
         state_id=EXTERNAL, f_field3="<p>The customer-only price list.</p>",
         created=at("2021-02-02 08:00:00"), changed=at("2023-06-06 12:00:00")),
    dict(id=106, f_language_id=FR, f_subject="Brouillon non approuvé", category_id=5,
         state_id=PUBLIC, approved=0, f_field1="<p>Brouillon.</p>",
         created=at("2021-03-03 08:00:00"), changed=at("2023-07-07 12:00:00")),
    dict(id=107, f_language_id=FR, f_subject="Catégorie disparue", category_id=99,
         state_id=PUBLIC, f_field1="<p>Orphelin.</p>",
         created=at("2021-04-04 08:00:00"), changed=at("2023-08-08 12:00:00")),
    dict(id=108, f_language_id=RU, f_subject="Токен Amazon", category_id=5, state_id=PUBLIC,
         f_field1="<p>Текст.</p>",
         created=at("2021-05-05 08:00:00"), changed=at("2023-09-09 12:00:00")),
    dict(id=109, f_language_id=FR, f_subject="Voir aussi : les prix", category_id=2,
         state_id=PUBLIC, content_type="text/plain",
         f_field1="Texte brut <b>pas gras</b>\n# pas un titre\n2 * 3 = 6",
         created=at("2021-06-06 08:00:00"), changed=at("2023-10-10 12:00:00")),
    dict(id=110, f_language_id=FR, f_subject="Pièce jointe illisible", category_id=5,
         state_id=PUBLIC, f_field1="<p>Voir la pi&egrave;ce jointe.</p>",
         created=at("2021-07-07 08:00:00"), changed=at("2023-11-11 12:00:00")),
    dict(id=111, f_language_id=FR, f_subject="Article invalide", category_id=5,
         state_id=PUBLIC, valid_id=2, f_field1="<p>Invalide.</p>",
         created=at("2021-08-08 08:00:00"), changed=at("2023-12-12 12:00:00")),
]  # fmt: skip

LINKS = [  # source, target, link state (1 Valid, 2 Temporary), target object
    (101, 102, 1, FAQ_OBJECT), (103, 102, 1, FAQ_OBJECT),  # translations, as a chain
    (101, 109, 1, FAQ_OBJECT),  # same language: a related article, not a translation
    (104, 105, 2, FAQ_OBJECT),  # not yet saved (Temporary): no link
    (101, 5, 1, TICKET_OBJECT),  # an item linked to a ticket
]  # fmt: skip


def stored(content: bytes, dialect: str):
    """As Znuny's AttachmentAdd stores it: base64 (76 characters a line) on PostgreSQL."""
    return base64.encodebytes(content).decode() if dialect == "postgresql" else content


def create_znuny(engine: sa.Engine) -> sa.MetaData:
    metadata = znuny_metadata(engine.dialect.name)
    metadata.create_all(engine)
    return metadata


def add_lookups(connection: sa.Connection, t: dict, languages: dict[int, str]) -> None:
    """Languages (id -> code), the three state types and one state each, and the link kinds."""
    now = at("2020-01-01 00:00:00")
    link_audit = {"valid_id": 1, "create_time": now, "create_by": 1, "change_time": now,
                  "change_by": 1}  # fmt: skip
    insert = connection.execute
    insert(t["faq_language"].insert(), [dict(id=i, name=code) for i, code in languages.items()])
    insert(t["faq_state_type"].insert(), [dict(id=1, name="internal"),
           dict(id=2, name="external"), dict(id=3, name="public")])  # fmt: skip
    insert(t["faq_state"].insert(), [dict(id=INTERNAL, name="internal (agent)", type_id=1),
           dict(id=EXTERNAL, name="external (customer)", type_id=2),
           dict(id=PUBLIC, name="public (all)", type_id=3)])  # fmt: skip
    insert(t["link_object"].insert(), [dict(id=TICKET_OBJECT, name="Ticket"),
           dict(id=FAQ_OBJECT, name="FAQ")])  # fmt: skip
    insert(t["link_type"].insert(), [dict(id=1, name="Normal", **link_audit),
           dict(id=2, name="ParentChild", **link_audit)])  # fmt: skip
    insert(t["link_state"].insert(), [dict(id=1, name="Valid", **link_audit),
           dict(id=2, name="Temporary", **link_audit)])  # fmt: skip


def fill(engine: sa.Engine) -> None:
    """Create the tables and the FAQ: nested categories, fr/de/en items linked as translations,
    internal, external, unapproved, invalid, broken and Russian items, attachments, votes."""
    metadata = create_znuny(engine)
    t = metadata.tables
    dialect = engine.dialect.name
    now = at("2020-01-01 00:00:00")
    audit = {"created": now, "created_by": 1, "changed": now, "changed_by": 1}
    with engine.begin() as connection:
        insert = connection.execute
        add_lookups(connection, t, {EN: "en", DE: "de", FR: "fr", RU: "ru"})
        insert(t["faq_category"].insert(), [
            dict(id=i, parent_id=p, name=n, valid_id=1, **audit) for i, p, n in CATEGORIES
        ])  # fmt: skip
        for item in ITEMS:
            row = {"f_number": f"100{item['id']}", "f_name": f"item-{item['id']}",
                   "created_by": 1, "changed_by": 1, **item}  # fmt: skip
            insert(t["faq_item"].insert(), row)
        insert(t["faq_attachment"].insert(), [
            dict(id=1, faq_id=101, filename="bouton renouveler.png", content_type="image/png",
                 content_size=str(len(PNG)), content=stored(PNG, dialect), inlineattachment=1,
                 **audit),
            dict(id=2, faq_id=101, filename="Guide d'utilisation.pdf",
                 content_type="application/pdf", content_size=str(len(PDF)),
                 content=stored(PDF, dialect), inlineattachment=0, **audit),
        ])  # fmt: skip
        # Text that is not base64 where Znuny expects it: an item that cannot be read.
        connection.execute(
            sa.text(
                "INSERT INTO faq_attachment (id, faq_id, filename, content_type, content_size,"
                " content, inlineattachment, created, created_by, changed, changed_by)"
                " VALUES (5, 110, 'notes.txt', 'text/plain', '3', :content, 0, :now, 1, :now, 1)"
            ),
            {"content": "this is not base64 !", "now": now},
        )
        insert(t["faq_voting"].insert(), [
            dict(created_by="1", item_id=101, interface="3", ip="192.0.2.1", rate=rate,
                 created=now)
            for rate in (100, 75, 50)
        ])  # fmt: skip
        insert(t["link_relation"].insert(), [
            dict(source_object_id=FAQ_OBJECT, source_key=str(source),
                 target_object_id=target_object, target_key=str(target), type_id=1,
                 state_id=state, create_time=now, create_by=1)
            for source, target, state, target_object in LINKS
        ])  # fmt: skip


def change_item(engine: sa.Engine, item_id: int, changed: str, **values) -> None:
    """An agent edits an item in Znuny: its fields and its `changed` time."""
    metadata = sa.MetaData()
    items = Table("faq_item", metadata, autoload_with=engine)
    with engine.begin() as connection:
        connection.execute(
            items.update().where(items.c.id == item_id).values(changed=at(changed), **values)
        )


def imported_faq(folder: Path) -> Path:
    """The portal's own faq/ with this FAQ imported into it from a Znuny on SQLite."""
    from portal.faq.znuny.database import DatabaseSource
    from portal.faq.znuny.importer import Options, run

    url = f"sqlite:///{folder / 'znuny.db'}"
    engine = sa.create_engine(url)
    fill(engine)
    engine.dispose()
    faq_dir = folder / "faq"
    shutil.copytree(ROOT / "faq", faq_dir)
    assert run(DatabaseSource(url), Options(faq_dir)).imported
    return faq_dir
