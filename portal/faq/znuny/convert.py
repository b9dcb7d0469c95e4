"""Znuny's texts as the portal writes them: rich text to Markdown (markdownify), plain text kept
as text, slugs, keywords, a description. The portal's sanitizer still runs at render time."""

import re
import unicodedata
from urllib.parse import parse_qs

from bs4 import BeautifulSoup
from markdownify import ATX, MarkdownConverter

# Letters that Unicode does not decompose into a base letter and an accent.
FOLDED = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
SLUG_LENGTH = 80
DESCRIPTION_LENGTH = 160
# The end of a sentence: ". " and the like, or a CJK full stop (no space after it).
SENTENCE_END = re.compile(r"(?<=[.!?])\s|(?<=[\u3002\uff01\uff1f])")
# Znuny's download links of attachments, from any interface (Agent, Customer, Public).
DOWNLOAD = "Subaction=DownloadAttachment"
# A relative link to an item in one of Znuny's interfaces.
ZOOM = re.compile(
    r"^(?:[\w./-]*/)?(?:index|customer|public)\.pl\?.*\bAction=\w*FAQ(?:Zoom|Print)\b"
)
# Headings inside a field sit below the field's own "## Label" heading.
DEMOTED = {"h1": "h3", "h2": "h3", "h3": "h4", "h4": "h4", "h5": "h4", "h6": "h4"}
BLOCKS = ("p", "div", "li", "tr", "table", "ul", "ol", "pre", "blockquote", "h1", "h2", "h3",
          "h4", "h5", "h6")  # fmt: skip


def is_word_character(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN"


def fold(char: str) -> str:
    """é -> e; other scripts' letters stay as they are (ド keeps its voicing mark)."""
    base = unicodedata.normalize("NFD", char)[0]
    return base if base.isascii() else char


def slugify(text: str, fallback: str = "item") -> str:
    """Lowercase words joined by '-', accents folded; Japanese, Arabic... kept as letters."""
    text = unicodedata.normalize("NFKC", text).lower().translate(FOLDED)
    words = "".join(fold(c) if is_word_character(c) else " " for c in text).split()
    slug = ""
    for word in words:
        if slug and len(slug) + 1 + len(word) > SLUG_LENGTH:
            break
        slug = f"{slug}-{word}" if slug else word[:SLUG_LENGTH]
    return slug or fallback


def split_keywords(keywords: str) -> list[str]:
    """As Znuny does (FAQKeywordArticleList): commas and semicolons are spaces, then split on
    whitespace. Znuny compares them in lower case: a word given twice is kept once."""
    seen: set[str] = set()
    found = []
    for word in re.split(r"[\s,;]+", keywords):
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            found.append(word)
    return found


def safe_file_name(file_id: int, filename: str) -> str:
    """A name for files/: the unique file id first, no path, no leading dot, URL-friendly."""
    name = re.split(r"[/\\]", filename)[-1]
    stem, dot, extension = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,10}", extension):
        stem, extension = name, ""
    suffix = f".{extension.lower()}" if extension else ""
    return f"{file_id}-{slugify(stem, 'file')}{suffix}"


def znuny_arguments(url: str) -> dict[str, str]:
    """The arguments of a link into Znuny, which separates them with ';' as well as '&'."""
    query = url.partition("?")[2].replace("&amp;", "&").replace(";", "&")
    return {key: values[0] for key, values in parse_qs(query).items()}


def item_link(url: str) -> str | None:
    """A relative link to another item (index.pl?Action=AgentFAQZoom;ItemID=12) as the portal's
    address for old Znuny links, which leads to the item's article; None for other URLs."""
    if "://" in url or DOWNLOAD in url or not ZOOM.match(url):
        return None
    item_id = znuny_arguments(url).get("ItemID", "")
    return f"/otrs/public.pl?Action=PublicFAQZoom;ItemID={item_id}" if item_id.isdigit() else None


def download_file_id(url: str) -> int | None:
    """The FileID of a Znuny attachment download link, None for any other URL."""
    if DOWNLOAD not in url:
        return None
    found = znuny_arguments(url).get("FileID", "")
    return int(found) if found.isdigit() else None


class PortalConverter(MarkdownConverter):
    """markdownify, writing what Python-Markdown (the portal's renderer) reads."""

    def escape(self, text: str, parent_tags) -> str:
        text = super().escape(text, parent_tags)
        # Text that looks like markup stays text: "&lt;b&gt;" is shown, not parsed.
        text = text.replace("&", "&amp;").replace("<", "&lt;")
        text = re.sub(r"\{(?=[#:.])", r"\\{", text)  # not an attr_list {#id}
        if "td" in parent_tags or "th" in parent_tags:
            text = text.replace("|", r"\|")
        return text

    def convert_li(self, el, text: str, parent_tags) -> str:
        """Python-Markdown nests lists by four spaces, not by the bullet's width."""
        text = (text or "").strip()
        if not text:
            return "\n"
        parent = el.parent
        if parent is not None and parent.name == "ol":
            start = str(parent.get("start", "1"))
            number = (int(start) if start.isdigit() else 1) + len(el.find_previous_siblings("li"))
            bullet = f"{number}."
        else:
            bullet = "-"
        lines = text.split("\n")
        indented = [lines[0], *(f"    {line}" if line.strip() else "" for line in lines[1:])]
        return f"{bullet.ljust(3)} " + "\n".join(indented) + "\n"

    def convert_pre(self, el, text: str, parent_tags) -> str:
        """An indented code block: the portal's Markdown has no fenced code."""
        text = text.strip("\n")
        if not text:
            return ""
        return "\n\n" + "\n".join(f"    {line}" for line in text.split("\n")) + "\n\n"


def html_to_markdown(html: str, files: dict[int, str]) -> str:
    """Rich text as Markdown; links to the item's attachments (files: FileID -> name) lead to
    files/<name> beside the article, and an image whose file is unknown leaves its alt text."""
    soup = BeautifulSoup(html, "html.parser")
    for heading in soup.find_all(list(DEMOTED)):
        heading.name = DEMOTED[heading.name]
    for image in soup.find_all("img"):
        file_id = download_file_id(image.get("src", ""))
        if file_id is not None and file_id not in files:
            image.replace_with(image.get("alt", ""))
        elif file_id is not None:
            image["src"] = f"files/{files[file_id]}"
    for link in soup.find_all("a", href=True):
        file_id = download_file_id(link["href"])
        if file_id in files:
            link["href"] = f"files/{files[file_id]}"
        link["href"] = item_link(link["href"]) or link["href"]
    converter = PortalConverter(
        heading_style=ATX, table_infer_header=True, keep_inline_images_in=["td", "th"]
    )
    return converter.convert_soup(soup).strip()


def escape_text(line: str) -> str:
    """One line of plain text, shown as written by the portal's Markdown."""
    line = line.replace("&", "&amp;").replace("<", "&lt;")
    line = re.sub(r"([\\`*_\[\]{}|])", r"\\\1", line)
    line = re.sub(r"^([#>+\-=])", r"\\\1", line)
    return re.sub(r"^(\d+)\.", r"\1\\.", line)


def text_to_markdown(text: str) -> str:
    """Plain text (content_type text/plain): its line breaks kept, nothing read as markup."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip())
    return "\n\n".join(
        "  \n".join(escape_text(line.strip()) for line in paragraph.split("\n"))
        for paragraph in paragraphs
        if paragraph.strip()
    )


def html_to_text(html: str) -> str:
    """Rich text as plain text: a line per paragraph, list item or table row, no blank lines."""
    soup = BeautifulSoup(html, "html.parser")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    for item in soup.find_all("li"):
        item.insert(0, "- ")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after(" | ")
    lines = (" ".join(line.split()).removesuffix(" |") for line in soup.get_text().split("\n"))
    return "\n".join(line for line in lines if line)


def field_text(value: str, content_type: str) -> str:
    return value.strip() if content_type == "text/plain" else html_to_text(value)


def describe(text: str) -> str:
    """The first sentence of a text, cut to a search result's length."""
    sentence = SENTENCE_END.split(" ".join(text.split()), maxsplit=1)[0].strip()
    if len(sentence) <= DESCRIPTION_LENGTH:
        return sentence
    cut = sentence[: DESCRIPTION_LENGTH - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"
