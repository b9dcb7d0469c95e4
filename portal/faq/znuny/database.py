"""Read a Znuny FAQ from its database, read-only: MySQL/MariaDB (PyMySQL), PostgreSQL, SQLite.

The tables and columns are those of Znuny's FAQ package (FAQ.sopm) and of its core link tables
(scripts/database/schema.xml). Only the columns read here are declared.
"""

import base64
import binascii
from collections import defaultdict
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy import Column, DateTime, Table

from .items import AttachmentInfo, Broken, Item, ItemError, SourceError, Votes

metadata = sa.MetaData()
faq_item = Table(
    "faq_item", metadata,
    Column("id"), Column("f_subject"), Column("f_language_id"), Column("state_id"),
    Column("category_id"), Column("approved"), Column("valid_id"), Column("content_type"),
    Column("f_keywords"), *(Column(f"f_field{number}") for number in range(1, 7)),
    Column("created", DateTime), Column("changed", DateTime),
)  # fmt: skip
faq_category = Table("faq_category", metadata, Column("id"), Column("parent_id"), Column("name"))
faq_language = Table("faq_language", metadata, Column("id"), Column("name"))
faq_state = Table("faq_state", metadata, Column("id"), Column("type_id"))
faq_state_type = Table("faq_state_type", metadata, Column("id"), Column("name"))
# content is untyped: LONGBLOB holds the raw bytes on MySQL, a text column base64 on PostgreSQL.
faq_attachment = Table(
    "faq_attachment", metadata,
    Column("id"), Column("faq_id"), Column("filename"), Column("content_type"),
    Column("inlineattachment"), Column("content"),
)  # fmt: skip
faq_voting = Table("faq_voting", metadata, Column("item_id"), Column("rate"))
link_object = Table("link_object", metadata, Column("id"), Column("name"))
link_state = Table("link_state", metadata, Column("id"), Column("name"))
link_relation = Table(
    "link_relation", metadata,
    Column("source_object_id"), Column("source_key"), Column("target_object_id"),
    Column("target_key"), Column("state_id"),
)  # fmt: skip
FAQ_TABLES = ("faq_item", "faq_category", "faq_language", "faq_state", "faq_state_type",
              "faq_attachment", "faq_voting")  # fmt: skip
LINK_TABLES = ("link_object", "link_state", "link_relation")

# Each server's way of refusing writes for the whole session.
READ_ONLY = {
    "sqlite": "PRAGMA query_only = ON",
    "mysql": "SET SESSION TRANSACTION READ ONLY",
    "postgresql": "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
}


def connect(url: str) -> sa.Engine:
    """An engine that can only read, or SourceError with a message that names the problem."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:  # its message would show the password
        raise SourceError("--database: not a URL such as postgresql+psycopg://host/db") from exc
    shown = parsed.render_as_string(hide_password=True)
    try:
        engine = sa.create_engine(parsed, poolclass=sa.pool.NullPool, connect_args=timeout(parsed))
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise SourceError(f"cannot use the database URL {shown}: {exc}") from exc
    statement = READ_ONLY.get(engine.dialect.name)
    if statement is None:
        raise SourceError(f"{shown}: use MySQL/MariaDB, PostgreSQL or SQLite")

    @sa.event.listens_for(engine, "connect")
    def read_only(dbapi_connection, record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(statement)
        cursor.close()
        dbapi_connection.commit()  # PostgreSQL's SET SESSION is undone by a rollback

    return engine


def timeout(url: sa.URL) -> dict:
    """Give up on an unreachable server after 10 s rather than the driver's minutes."""
    return {"connect_timeout": 10} if url.get_backend_name() in ("mysql", "postgresql") else {}


class DatabaseSource:
    """Every item of the FAQ, whatever its state: the complete source."""

    notes: tuple[str, ...] = ()

    def __init__(self, url: str) -> None:
        self.engine = connect(url)
        self.name = f"the Znuny database {self.engine.url.render_as_string(hide_password=True)}"
        try:
            tables = set(sa.inspect(self.engine).get_table_names())
        except sa.exc.SQLAlchemyError as exc:
            raise SourceError(f"cannot connect to {self.name}: {first_line(exc)}") from exc
        missing = [name for name in FAQ_TABLES if name not in tables]
        if missing:
            raise SourceError(
                f"{self.name} has no table {', '.join(missing)}: is the FAQ package installed?"
            )
        self.has_links = all(name in tables for name in LINK_TABLES)
        if not self.has_links:
            self.notes = ("The database has no link tables: no translations were grouped.",)

    def count(self) -> int:
        return self.rows(sa.select(sa.func.count()).select_from(faq_item))[0][0]

    def rows(self, statement) -> list[sa.Row]:
        try:
            with self.engine.connect() as connection:
                return list(connection.execute(statement))
        except sa.exc.SQLAlchemyError as exc:
            raise SourceError(f"cannot read {self.name}: {first_line(exc)}") from exc

    def items(self) -> Iterator[Item | Broken]:
        categories = category_paths(self.rows(sa.select(faq_category)))
        votes = self.votes()
        links = self.links()
        attachments = self.attachments()
        for row in self.rows(item_query()):
            try:
                yield item_from_row(row, categories, attachments, votes, links)
            except ItemError as exc:
                yield Broken(row.id, str(exc))

    def votes(self) -> dict[int, Votes]:
        statement = sa.select(
            faq_voting.c.item_id, sa.func.count(), sa.func.avg(faq_voting.c.rate)
        ).group_by(faq_voting.c.item_id)
        return {
            int(item_id): Votes(int(count), round(float(mean), 2))
            for item_id, count, mean in self.rows(statement)
        }

    def links(self) -> dict[int, set[int]]:
        """Valid links between two FAQ items, both ways (Znuny stores each link once)."""
        if not self.has_links:
            return {}
        source, target = link_object.alias(), link_object.alias()
        statement = (
            sa.select(link_relation.c.source_key, link_relation.c.target_key)
            .join(source, source.c.id == link_relation.c.source_object_id)
            .join(target, target.c.id == link_relation.c.target_object_id)
            .join(link_state, link_state.c.id == link_relation.c.state_id)
            .where(source.c.name == "FAQ", target.c.name == "FAQ", link_state.c.name == "Valid")
        )
        linked: dict[int, set[int]] = defaultdict(set)
        for one, other in self.rows(statement):
            if str(one).isdigit() and str(other).isdigit() and one != other:
                linked[int(one)].add(int(other))
                linked[int(other)].add(int(one))
        return linked

    def attachments(self) -> dict[int, list[AttachmentInfo]]:
        columns = faq_attachment.c
        statement = sa.select(
            columns.id, columns.faq_id, columns.filename, columns.content_type,
            columns.inlineattachment,
        ).order_by(columns.faq_id, columns.id)  # fmt: skip
        found: dict[int, list[AttachmentInfo]] = defaultdict(list)
        for file_id, item_id, filename, content_type, inline in self.rows(statement):
            found[int(item_id)].append(
                AttachmentInfo(
                    int(file_id),
                    filename or f"file-{file_id}",
                    content_type or "application/octet-stream",
                    bool(inline),
                )
            )
        return found

    def contents(self, item: Item) -> dict[int, bytes]:
        columns = faq_attachment.c
        statement = sa.select(columns.id, columns.content).where(columns.faq_id == item.item_id)
        return {
            int(file_id): stored_bytes(file_id, value) for file_id, value in self.rows(statement)
        }


def first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def item_query() -> sa.Select:
    """Every item with its language and state type; outer joins keep an item whose language or
    state is missing, so that it is reported rather than silently left out."""
    return (
        sa.select(
            faq_item,
            faq_language.c.name.label("language"),
            faq_state_type.c.name.label("state_type"),
        )
        .select_from(
            faq_item.outerjoin(faq_language, faq_language.c.id == faq_item.c.f_language_id)
            .outerjoin(faq_state, faq_state.c.id == faq_item.c.state_id)
            .outerjoin(faq_state_type, faq_state_type.c.id == faq_state.c.type_id)
        )
        .order_by(faq_item.c.id)
    )


def category_paths(rows) -> dict[int, tuple[str, ...]]:
    """Each category's names from the top (parent_id 0), as Znuny shows them: A::B::C."""
    parents = {int(row.id): (int(row.parent_id or 0), str(row.name)) for row in rows}
    paths: dict[int, tuple[str, ...]] = {}
    for category_id in parents:
        names: list[str] = []
        current, seen = category_id, set()
        while current and current in parents and current not in seen:
            seen.add(current)
            current, name = parents[current]
            names.append(name)
        if not current:  # reached the top; otherwise a parent is missing or the tree loops
            paths[category_id] = tuple(reversed(names))
    return paths


def item_from_row(row, categories, attachments, votes, links) -> Item:
    if row.language is None:
        raise ItemError(f"language {row.f_language_id} does not exist")
    if row.state_type is None:
        raise ItemError(f"state {row.state_id} does not exist")
    category_id = int(row.category_id or 0)
    if category_id not in categories:
        raise ItemError(f"category {category_id} does not exist (or has no path to the top)")
    if row.created is None or row.changed is None:
        raise ItemError("no created or changed time")
    item_id = int(row.id)
    return Item(
        item_id=item_id,
        title=row.f_subject or "",
        language=str(row.language),
        category=categories[category_id],
        state_type=str(row.state_type),
        approved=bool(row.approved),
        valid=row.valid_id == 1,
        content_type=row.content_type or "text/html",
        keywords=row.f_keywords or "",
        fields={n: getattr(row, f"f_field{n}") or "" for n in range(1, 7)},
        created=row.created,
        changed=row.changed,
        attachments=tuple(attachments.get(item_id, ())),
        votes=votes.get(item_id),
        links=frozenset(links.get(item_id, ())),
    )


def stored_bytes(file_id, value) -> bytes:
    """An attachment's content as Znuny stored it: raw bytes where the database has blobs
    (MySQL), base64 text where it has none (PostgreSQL; Kernel/System/FAQ.pm, DirectBlob)."""
    if isinstance(value, memoryview):
        return value.tobytes()
    if isinstance(value, bytes):
        return value
    try:
        return base64.b64decode("".join(str(value).split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ItemError(f"attachment {file_id}: its content is not valid base64") from exc
