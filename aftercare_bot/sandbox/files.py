"""Files the simulator knows about: uploads from the bot, media sent by simulated users.

Telegram identifies files by opaque `file_id`s and serves them under a per-file path; bots
re-send media by id and download it with getFile. The store keeps the bytes so that the whole
round trip works without any network.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Any

from .image_size import image_size

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
_PHOTO_SIDES = (90, 320, 800, 1280)
_ID_PREFIX = {"photo": "AgACAgIAAxkBAA", "document": "BQACAgIAAxkBAA", "sticker": "CAACAgIAAxkBAA"}
_FOLDER = {"photo": "photos", "document": "documents", "sticker": "stickers"}


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request, before it becomes a Telegram file."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class StoredFile:
    """A file with the identifiers Telegram would have assigned to it."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    def file_json(self) -> dict[str, Any]:
        """Render the File object getFile returns."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }

    def photo_size_json(self) -> dict[str, Any]:
        """Render one PhotoSize entry."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "width": self.width,
            "height": self.height,
        }

    def document_json(self) -> dict[str, Any]:
        """Render the Document object of a message."""
        body: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.file_name:
            body["file_name"] = self.file_name
        if self.mime_type:
            body["mime_type"] = self.mime_type
        return body


class FileStore:
    """Every file seen so far, addressable by file_id and by download path."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._photo_sets: dict[str, list[StoredFile]] = {}
        self._counter = 0

    def get(self, file_id: str) -> StoredFile | None:
        """Find a file by the id a bot passes back to Telegram."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """Find a file by the path used in /file/bot<token>/<path> downloads."""
        return self._by_path.get(file_path)

    def add_document(self, data: bytes, file_name: str | None, mime_type: str | None) -> StoredFile:
        """Store a file sent "as a file", keeping its name and type."""
        if mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        return self._add("document", data, file_name=file_name, mime_type=mime_type)

    def add_sticker(self, data: bytes) -> StoredFile:
        """Store a sticker image (512x512 as Telegram normalises them)."""
        return self._add("sticker", data, mime_type="image/webp", width=512, height=512)

    def add_photo(self, data: bytes) -> list[StoredFile]:
        """Store a photo as the ladder of sizes Telegram generates, smallest first.

        Real Telegram recompresses each size; here every size serves the original bytes, which
        is what tests want to compare anyway.
        """
        width, height = image_size(data)
        sizes = [self._add("photo", data, width=w, height=h) for w, h in _ladder(width, height)]
        for stored in sizes:
            self._photo_sets[stored.file_id] = sizes
        return sizes

    def photo_set(self, file_id: str) -> list[StoredFile] | None:
        """Return all sizes of the photo that `file_id` belongs to."""
        return self._photo_sets.get(file_id)

    def _add(self, kind: str, data: bytes, **extra: Any) -> StoredFile:
        self._counter += 1
        number = self._counter
        extension = _extension(kind, extra.get("file_name"), extra.get("mime_type"))
        stored = StoredFile(
            file_id=f"{_ID_PREFIX[kind]}{number:06d}{kind[:2]}sim",
            file_unique_id=f"AQAD{number:06d}",
            kind=kind,
            data=data,
            file_path=f"{_FOLDER[kind]}/file_{number}{extension}",
            **extra,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored


def _ladder(width: int, height: int) -> list[tuple[int, int]]:
    longest = max(width, height)
    sides = [side for side in _PHOTO_SIDES if side < longest] + [min(longest, 2560)]
    return [(round(width * side / longest), round(height * side / longest)) for side in sides]


def _extension(kind: str, file_name: str | None, mime_type: str | None) -> str:
    if kind == "photo":
        return ".jpg"
    if kind == "sticker":
        return ".webp"
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[1]
    guessed = mimetypes.guess_extension(mime_type) if mime_type else None
    return guessed or ""
