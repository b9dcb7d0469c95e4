"""Read a Znuny FAQ through the Generic Interface connector (GenericFAQConnectorREST).

Its operations (Kernel/GenericInterface/Operation/FAQ/) see only what the public interface
shows: public items, and with approval on only approved ones. They answer one value where
Perl had a one-element list, and report a failure as {"Error": {"ErrorCode", "ErrorMessage"}}.
"""

import base64
import binascii
from collections.abc import Iterator
from datetime import datetime

import requests

from .items import AttachmentInfo, Broken, Item, ItemError, SourceError, Votes

TIMEOUT = (10, 60)  # seconds to connect, seconds to wait for an answer
ZNUNY_TIME = "%Y-%m-%d %H:%M:%S"
NOTHING_FOUND = {"PublicFAQSearch.NotFAQData", "PublicCategoryList.NotCategoryData"}


class ServiceError(Exception):
    """The web service answered with an error of its own."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}" if code else message)
        self.code = code


def as_list(value) -> list:
    """Znuny's operations answer a single value instead of a list of one."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class WebServiceSource:
    """The public, approved items only: the summary says so."""

    notes = (
        "The web service shows only public, approved items: internal and customer-only items and "
        "items awaiting approval were not read (--database reads them all).",
        "The web service shows no links between items: no translations were grouped.",
    )

    def __init__(self, url: str, session: requests.Session | None = None) -> None:
        self.base = url.rstrip("/")
        self.name = f"the Znuny web service {self.base}"
        self.http = session or requests.Session()
        self.categories = self._categories()
        self.ids = self._item_ids()

    def call(self, operation: str, method: str = "GET", **kwargs) -> dict:
        """One operation's answer; requests' errors and bad answers become SourceError."""
        url = f"{self.base}/{operation}"
        try:
            response = self.http.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise SourceError(f"cannot reach {url}: {exc}") from exc
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if isinstance(answer, dict) and isinstance(answer.get("Error"), dict):
            error = answer["Error"]
            raise ServiceError(str(error.get("ErrorCode", "")), str(error.get("ErrorMessage", "")))
        if not response.ok or not isinstance(answer, dict):
            raise SourceError(f"{url} answered HTTP {response.status_code}, not a JSON object")
        return answer

    def _categories(self) -> dict[int, str]:
        try:
            answer = self.call("PublicCategoryList")
        except ServiceError as exc:
            if exc.code in NOTHING_FOUND:
                return {}
            raise SourceError(f"{self.name}: {exc}") from exc
        return {int(entry["ID"]): str(entry["Name"]) for entry in as_list(answer.get("Category"))}

    def _item_ids(self) -> list[int]:
        try:
            answer = self.call("PublicFAQSearch", "POST", json={})
        except ServiceError as exc:
            if exc.code in NOTHING_FOUND:
                return []
            raise SourceError(f"{self.name}: {exc}") from exc
        return sorted(int(item_id) for item_id in as_list(answer.get("ID")))

    def count(self) -> int:
        return len(self.ids)

    def get(self, item_id: int, contents: bool) -> dict:
        """One item as PublicFAQGet gives it (with the attachments' base64 content or not)."""
        params = {"ItemID": item_id, "GetAttachmentContents": int(contents)}
        try:
            found = as_list(self.call("PublicFAQGet", params=params).get("FAQItem"))
        except (ServiceError, SourceError) as exc:
            raise ItemError(str(exc)) from exc
        if not found or not isinstance(found[0], dict):
            raise ItemError("PublicFAQGet gave no FAQItem")
        return found[0]

    def items(self) -> Iterator[Item | Broken]:
        for item_id in self.ids:
            try:
                item = self.item(self.get(item_id, contents=False))
            except ItemError as exc:
                item = Broken(item_id, str(exc))
            except (KeyError, TypeError, ValueError) as exc:
                item = Broken(item_id, f"PublicFAQGet's answer is missing or garbles {exc}")
            yield item

    def item(self, data: dict) -> Item:
        category = self.categories.get(int(data["CategoryID"])) or data.get("CategoryName") or ""
        return Item(
            item_id=int(data["ItemID"]),
            title=data.get("Title") or "",
            language=str(data["Language"]),
            category=tuple(category.split("::")),
            state_type=str(data["StateTypeName"]),
            approved=bool(int(data.get("Approved", 1))),
            valid=True,  # the public interface shows valid items only
            content_type=data.get("ContentType") or "text/html",
            keywords=data.get("Keywords") or "",
            fields={n: data.get(f"Field{n}") or "" for n in range(1, 7)},
            created=datetime.strptime(data["Created"], ZNUNY_TIME),
            changed=datetime.strptime(data["Changed"], ZNUNY_TIME),
            attachments=tuple(attachment_info(entry) for entry in as_list(data.get("Attachment"))),
            votes=votes(data),
        )

    def contents(self, item: Item) -> dict[int, bytes]:
        found = {}
        for entry in as_list(self.get(item.item_id, contents=True).get("Attachment")):
            try:
                found[int(entry["FileID"])] = base64.b64decode(
                    "".join(str(entry.get("Content", "")).split()), validate=True
                )
            except (binascii.Error, ValueError, KeyError) as exc:
                raise ItemError(f"attachment {entry.get('FileID')}: not valid base64") from exc
        return found


def attachment_info(entry: dict) -> AttachmentInfo:
    return AttachmentInfo(
        file_id=int(entry["FileID"]),
        filename=str(entry.get("Filename") or f"file-{entry['FileID']}"),
        content_type=str(entry.get("ContentType") or "application/octet-stream"),
        inline=bool(int(entry.get("Inline") or 0)),
    )


def votes(data: dict) -> Votes | None:
    count = int(data.get("Votes") or 0)
    return Votes(count, round(float(data.get("VoteResult") or 0), 2)) if count else None
