"""Read a standard printed as a PDF table."""

from __future__ import annotations

from ..errors import KmcError


def read_pdf(data: bytes, path: str) -> str:
    """The tab-separated text (see :mod:`.layout`) of a PDF file's bytes."""
    raise KmcError("尚未支援 PDF 檔案", path)
