"""One run of the import: read the items, group them into articles, write what changed, report."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from .articles import Article, article_file, category_names, file_names, group_articles, skip_reason
from .convert import slugify
from .items import Broken, Item, ItemError, Source
from .labels import DEFAULT_FIELDS, Field
from .manifest import Manifest, Record
from .writer import Writer, article_folders, merge_categories, read_categories

# click.progressbar's shape: (iterable, length, label) -> a context manager giving the iterable.
Progress = Callable[[Iterable, int, str], AbstractContextManager[Iterable]]


def no_progress(iterable: Iterable, length: int, label: str) -> AbstractContextManager[Iterable]:
    return nullcontext(iterable)


@dataclass(frozen=True)
class Options:
    faq_dir: Path
    fields: tuple[Field, ...] = DEFAULT_FIELDS
    include_unapproved: bool = False
    dry_run: bool = False


@dataclass
class Summary:
    source: str
    notes: tuple[str, ...] = ()
    read: int = 0
    articles: int = 0
    imported: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    skipped: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    broken: list[tuple[int, str]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)  # each file written, or to be written

    def lines(self, dry_run: bool) -> list[str]:
        lines = []
        if dry_run and self.actions:
            lines = ["Dry run: nothing was written. The import would write:", *self.actions]
        elif dry_run:
            lines = ["Dry run: nothing was written, and nothing would be."]
        lines += [f"Read {self.read} items from {self.source}.", *self.notes]
        lines.append(
            f"Imported: {len(self.imported)}, updated: {len(self.updated)}, "
            f"unchanged: {len(self.unchanged)} (in {self.articles} articles)."
        )
        if self.skipped:
            lines.append(f"Skipped: {sum(len(ids) for ids in self.skipped.values())}")
            lines += [f"  {why}: {numbers(ids)}" for why, ids in self.skipped.items()]
        if self.broken:
            lines.append(f"Broken, not imported: {len(self.broken)}")
            lines += [f"  #{item_id}: {problem}" for item_id, problem in self.broken]
        if self.conflicts:
            lines.append(
                f"Conflicts, left untouched (edited here after the import): {len(self.conflicts)}"
            )
            lines += [f"  {path}" for path in self.conflicts]
        if self.categories:
            lines.append(f"New categories: {', '.join(self.categories)}")
        return lines


def numbers(item_ids: list[int]) -> str:
    return ", ".join(f"#{item_id}" for item_id in sorted(item_ids))


def run(source: Source, options: Options, progress: Progress = no_progress) -> Summary:
    """Import every item of source into options.faq_dir (or say what would be done)."""
    summary = Summary(source.name, source.notes)
    manifest = Manifest(options.faq_dir)
    read_categories(options.faq_dir)  # a broken file stops the run before anything is written
    items = read_items(source, options, summary, progress)
    articles = group_articles(items)
    importer = ArticleImport(source, options, manifest, summary)
    try:
        with progress(articles, len(articles), "Writing articles") as bar:
            for article in bar:
                importer.article(article)
    finally:  # what was written is remembered, even when the run stops half-way
        summary.articles = len(importer.present)
        names = category_names(importer.present)
        summary.categories = merge_categories(options.faq_dir, names, options.dry_run)
        if not options.dry_run:
            manifest.save()
    return summary


def read_items(source: Source, options: Options, summary: Summary, progress) -> list[Item]:
    items = []
    with progress(source.items(), source.count(), "Reading Znuny's items") as bar:
        for item in bar:
            summary.read += 1
            if isinstance(item, Broken):
                summary.broken.append((item.item_id, item.problem))
            elif reason := skip_reason(item, options.include_unapproved):
                summary.skipped[reason].append(item.item_id)
            else:
                items.append(item)
    return items


class ArticleImport:
    """Writes the items of one article after another, the source first."""

    def __init__(self, source: Source, options: Options, manifest: Manifest, summary: Summary):
        self.source = source
        self.options = options
        self.manifest = manifest
        self.summary = summary
        self.writer = Writer(options.faq_dir, manifest, options.dry_run)
        ours = {found.folder for found in manifest.records.values()}
        self.others = article_folders(options.faq_dir, ours)  # articles not from Znuny
        self.present: list[Article] = []  # articles whose source is in a file now

    def folder(self, article: Article) -> str:
        """Where an article's files go: where they went before, else <id>-<slug of its title>."""
        slug = slugify(article.source.title, "item")
        return self.manifest.folder(article.id) or f"{article.id}-{slug}"

    def article(self, article: Article) -> None:
        folder = self.folder(article)
        taken = self.others.get(article.id)
        if taken and taken != folder:
            self.summary.conflicts.append(
                f"{self.options.faq_dir / taken}: holds article {article.id} already (not from "
                f"Znuny); items {numbers([i.item_id for i in article.items])} not imported"
            )
            return
        revision = self.item(article, article.source, folder, None)
        if revision is not None:
            self.present.append(article)
        for translation in article.translations:
            if revision is None:  # the source is in no file: a translation cannot stand alone
                reason = f"its article's source #{article.id} was not imported"
                self.summary.skipped[reason].append(translation.item_id)
            else:
                self.item(article, translation, folder, revision)

    def item(self, article: Article, item: Item, folder: str, revision: int | None) -> int | None:
        """Write one item's files if it changed; the source's revision now (None: never
        written), or for a translation the revision it was given."""
        is_source = revision is None
        before = self.manifest.records.get(item.item_id)
        # The revision recorded for this item in this role (a source's own, a translation's).
        kept = before.revision if before and before.is_source == is_source else None
        path = f"{folder}/{item.language}.md"
        if kept is not None and (before.changed, before.file, before.article) == (
            item.changed, path, article.id
        ):  # fmt: skip
            self.summary.unchanged.append(item.item_id)
            return kept
        if is_source:
            revision = kept + 1 if kept else 1
        try:
            files = self.files(article, item, folder, revision)
        except ItemError as exc:
            self.summary.broken.append((item.item_id, str(exc)))
            return kept if is_source else revision
        stale = [old for old in (before.files if before else {}) if old not in files]
        conflicts = self.writer.conflicts(files, stale)
        if conflicts:
            self.summary.conflicts += [str(self.options.faq_dir / path) for path in conflicts]
            return kept if is_source else revision
        digests = self.writer.write(files, stale)
        self.manifest.records[item.item_id] = Record(
            article.id, path, item.changed, revision, is_source, digests
        )
        (self.summary.updated if before else self.summary.imported).append(item.item_id)
        verb = "update" if before else "import"
        self.summary.actions.append(f"  {verb} #{item.item_id}: {self.options.faq_dir / path}")
        return revision

    def files(self, article: Article, item: Item, folder: str, revision: int) -> dict[str, bytes]:
        """The item's Markdown file and its attachments, by path relative to faq/."""
        contents = self.source.contents(item) if item.attachments else {}
        missing = [info.file_id for info in item.attachments if info.file_id not in contents]
        if missing:
            raise ItemError(f"attachment {missing[0]} has no content")
        text = article_file(article, item, revision, self.options.fields, contents)
        files = {f"{folder}/{item.language}.md": text.encode("utf-8")}
        for file_id, name in file_names(item).items():
            files[f"{folder}/files/{name}"] = contents[file_id]
        return files
