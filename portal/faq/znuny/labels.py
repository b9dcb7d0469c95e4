"""Znuny's six item fields: which ones readers see, under which heading, in each language."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    number: int  # 1 .. 6: f_field1 .. f_field6
    label: str  # the caption as Znuny configures it (FAQ::Item::Field1 ... Field6)
    internal: bool  # shown to agents only: goes into internal_note, never into the body


# Znuny's defaults (Kernel/Config/Files/XML/FAQ.xml): Field4 and Field5 are off.
DEFAULT_FIELDS = (
    Field(1, "Symptom", internal=False),
    Field(2, "Problem", internal=False),
    Field(3, "Solution", internal=False),
    Field(6, "Comment", internal=True),
)
DEFAULT_CAPTIONS = {1: "Symptom", 2: "Problem", 3: "Solution", 4: "Field4", 5: "Field5",
                    6: "Comment"}  # fmt: skip

# Znuny translates its captions for each reader; the portal writes them into the article, in
# the article's language. Other captions are written as configured.
CAPTIONS = {
    "Symptom": {
        "fr": "Symptôme", "de": "Symptom", "en": "Symptom", "es": "Síntoma", "it": "Sintomo",
        "nl": "Symptoom", "pl": "Objaw", "sv": "Symptom", "ar": "الأعراض", "ja": "症状",
    },
    "Problem": {
        "fr": "Problème", "de": "Problem", "en": "Problem", "es": "Problema", "it": "Problema",
        "nl": "Probleem", "pl": "Problem", "sv": "Problem", "ar": "المشكلة", "ja": "問題",
    },
    "Solution": {
        "fr": "Solution", "de": "Lösung", "en": "Solution", "es": "Solución", "it": "Soluzione",
        "nl": "Oplossing", "pl": "Rozwiązanie", "sv": "Lösning", "ar": "الحل", "ja": "解決方法",
    },
    "Comment": {
        "fr": "Commentaire", "de": "Kommentar", "en": "Comment", "es": "Comentario",
        "it": "Commento", "nl": "Opmerking", "pl": "Komentarz", "sv": "Kommentar",
        "ar": "تعليق", "ja": "コメント",
    },
}  # fmt: skip

FIELD_LABELS_HELP = (
    "Which of Znuny's fields 1-6 to import, in Znuny's order, and their headings: "
    "comma-separated N=LABEL (shown to readers) or N=internal:LABEL (support's internal note); "
    "an empty LABEL keeps Znuny's default caption; fields not named are left out. "
    "Znuny's own captions (Symptom, Problem, Solution, Comment) are written in each article's "
    "language. Default: '1=Symptom,2=Problem,3=Solution,6=internal:Comment'."
)


def caption(field: Field, lang: str) -> str:
    """The field's heading in an article of language lang."""
    return CAPTIONS.get(field.label, {}).get(lang, field.label)


def parse_field_labels(spec: str) -> tuple[Field, ...]:
    """'1=Symptom,3=Solution,6=internal:Comment' -> the fields; ValueError says what is wrong."""
    fields: dict[int, Field] = {}
    for entry in (part.strip() for part in spec.split(",")):
        if not entry:
            continue
        number, equals, label = entry.partition("=")
        if not equals or not number.strip().isdigit() or not 1 <= int(number) <= 6:
            raise ValueError(f"{entry!r}: write N=LABEL with N a field number from 1 to 6")
        if int(number) in fields:
            raise ValueError(f"field {int(number)} is named twice")
        visibility, colon, rest = label.partition(":")
        internal = bool(colon) and visibility.strip() == "internal"
        if colon and visibility.strip() in ("internal", "public"):
            label = rest
        name = label.strip() or DEFAULT_CAPTIONS[int(number)]
        fields[int(number)] = Field(int(number), name, internal)
    if not fields:
        raise ValueError("name at least one field, e.g. '1=Symptom,3=Solution'")
    return tuple(fields[number] for number in sorted(fields))
