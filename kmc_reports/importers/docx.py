"""Read a standard laid out as a Word (DOCX) or OpenDocument (ODT) file."""

from __future__ import annotations

from ..errors import KmcError


def read_package(data: bytes, path: str) -> str:
    """The tab-separated text (see :mod:`.layout`) of a DOCX or ODT file's bytes."""
    raise KmcError("尚未支援 DOCX／ODT 檔案", path)
