"""Turn an article's Markdown into safe HTML with anchors that are the same in every language."""

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

PRODUCT = "{{product}}"
# A line of its own in an article that marks where the reader's live token state goes.
LIVE_BOX = "[[token-status]]"
LIVE_BOX_HTML = f"<p>{LIVE_BOX}</p>"
# Links to the files kept beside an article (faq/<article>/files/) start with this.
FILES = "files/"

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "h2", "h3",
    "h4", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "section", "small", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "lang", "dir", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}


@dataclass(frozen=True)
class Step:
    anchor: str
    text: str
    html: Markup = Markup("")


@dataclass(frozen=True)
class Rendered:
    before: Markup  # the body up to the live box (all of it when there is none)
    after: Markup
    has_live_box: bool
    steps: tuple[Step, ...]
    sections: tuple[Step, ...]


class AnchorTreeprocessor(Treeprocessor):
    """Give every heading and every numbered step an id that does not depend on the language."""

    def run(self, root: etree.Element) -> None:
        self.md.article_steps = []
        self.md.article_sections = []
        headings = (element for element in root.iter() if element.tag in ("h2", "h3"))
        for number, heading in enumerate(headings, start=1):
            heading.set("id", heading.get("id") or f"section-{number}")
            self.md.article_sections.append(Step(heading.get("id"), "".join(heading.itertext())))
        step = 0
        for ol in root.iter("ol"):
            ol.set("class", "steps")
            for item in ol.findall("li"):
                step += 1
                item.set("id", f"step-{step}")
                item.set("class", "step")
                text = " ".join("".join(item.itertext()).split())
                self.md.article_steps.append(Step(f"step-{step}", text))


# Characters of scripts written without spaces between words: CJK punctuation, kana, Han,
# full-width forms. Not Hangul: Korean puts spaces between words.
CJK = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff9f\uffe0-\uffef\U00020000-\U0003134f"
)
# Between two such characters; and after a CJK full stop or comma (、。！？) whatever follows,
# so that "。\n{{product}}" does not start the next sentence with a space either.
CJK_LINE_BREAK = re.compile(
    f"(?<=[{CJK}])[ \t]*\n[ \t]*(?=[{CJK}])|(?<=[\u3001\u3002\uff01\uff1f])[ \t]*\n[ \t]*"
)
# Text inside these is kept as written; an inline element's boundary is no barrier.
VERBATIM = {"pre", "code", "br"}


def join_cjk_lines(text: str) -> str:
    """Drop line breaks between two CJK characters, which browsers would show as a space."""
    return CJK_LINE_BREAK.sub("", text)


class CjkLineBreakTreeprocessor(Treeprocessor):
    """Join the lines of Japanese or Chinese text, also across inline elements (<strong>...)."""

    def run(self, root: etree.Element) -> None:
        pieces = list(text_slots(root))
        # "\0" cannot occur in the text: it keeps a match from spanning <pre>, <code> or <br>.
        joined = "".join(text if text is not None else "\0" for _, _, text in pieces)
        dropped = {i for m in CJK_LINE_BREAK.finditer(joined) for i in range(*m.span())}
        if not dropped:
            return
        offset = 0
        for element, attribute, text in pieces:
            if text is None:
                offset += 1
                continue
            kept = "".join(c for i, c in enumerate(text, offset) if i not in dropped)
            offset += len(text)
            if kept != text:
                setattr(element, attribute, kept)


def text_slots(element: etree.Element):
    """(element, "text" or "tail", text) in reading order; None text marks a verbatim element."""
    if element.tag in VERBATIM:
        yield element, "text", None
    else:
        yield element, "text", element.text or ""
        for child in element:
            yield from text_slots(child)
    yield element, "tail", element.tail or ""


class FileLinkTreeprocessor(Treeprocessor):
    """Point links to files/... (images, attachments beside an article) where they are served."""

    def __init__(self, md: markdown.Markdown, files_url: str) -> None:
        super().__init__(md)
        self.files_url = files_url

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            attribute = {"img": "src", "a": "href"}.get(element.tag)
            target = element.get(attribute, "") if attribute else ""
            if target.startswith(FILES):
                element.set(attribute, self.files_url + target[len(FILES) :])


class AnchorExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        # After inline patterns (20), before prettify (10): the texts are final, not yet indented.
        md.treeprocessors.register(CjkLineBreakTreeprocessor(md), "cjk_line_breaks", 15)
        # After inline patterns (20) and attr_list (8): texts are plain and {#ids} applied.
        md.treeprocessors.register(AnchorTreeprocessor(md), "article_anchors", 6)


class FileLinkExtension(Extension):
    def __init__(self, files_url: str) -> None:
        super().__init__()
        self.files_url = files_url

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.treeprocessors.register(FileLinkTreeprocessor(md, self.files_url), "file_links", 5)


def sanitize(html: str) -> str:
    """Keep only harmless markup, so a bad translation cannot inject script."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES)


def render_markdown(body: str, product: str, files_url: str = "") -> Rendered:
    """Render one article body; the product name is filled in here, and links to files/...
    lead to files_url..."""
    extensions = ["admonition", "attr_list", "sane_lists", "tables", AnchorExtension()]
    if files_url:
        extensions.append(FileLinkExtension(files_url))
    md = markdown.Markdown(extensions=extensions, output_format="html")
    html = sanitize(md.convert(body.replace(PRODUCT, product)))
    before, marker, after = html.partition(LIVE_BOX_HTML)
    # The steps' own HTML, shown again beside the merchant's token (steps hold no nested lists).
    step_html = dict(STEP_ITEM.findall(html))
    steps = tuple(
        Step(s.anchor, s.text, Markup(step_html.get(s.anchor, ""))) for s in md.article_steps
    )
    return Rendered(
        before=Markup(before),
        after=Markup(after),
        has_live_box=bool(marker),
        steps=steps,
        sections=tuple(md.article_sections),
    )


STEP_ITEM = re.compile(r'<li class="step" id="(step-\d+)">(.*?)</li>', re.S)


MARKUP_NOISE = re.compile(r"\{[#.:][^}]*\}|\[\[[\w-]+\]\]|!!! \w+(?: \"[^\"]*\")?|[*_`>#|]+")


def plain_text(body: str, product: str) -> str:
    """The words of a Markdown body without its markup, for the search index."""
    return MARKUP_NOISE.sub(" ", join_cjk_lines(body.replace(PRODUCT, product)))
