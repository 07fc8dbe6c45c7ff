"""Importers: one reader per input format, all producing the same validated model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from pydantic import ValidationError

from .. import startup
from ..errors import KmcError, json_problem, validation_text
from ..model import Standard
from .text import decode

Warn = Callable[[str], None]


def _laid_out(data: bytes, path: Path) -> str | None:
    """The tab-separated text of a PDF, DOCX or ODT file (known by its bytes, not its name),
    or None for a text file.  The readers load lazily: most commands never need them."""
    if data.startswith(b"%PDF"):
        from .pdf import read_pdf
        marks: list[str] = []
        text = read_pdf(data, str(path), marks)
        # the page marks lead the text, where the reader checks them for missing pages
        return "\n".join(marks) + "\n" + text
    if data.startswith(b"PK\x03\x04"):
        from .docx import read_package
        return read_package(data, str(path))
    return None


def import_file(path: str | Path, warn: Warn) -> Standard:
    """Read one standard from a PDF, DOCX/ODT, iCAP text copy or OCS JSON file."""
    from .icap_text import read_icap_text  # the readers load lazily, as in _laid_out
    from .ocs_json import read_ocs_json

    path = Path(path)
    startup.done()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KmcError("找不到檔案", str(path)) from None
    except IsADirectoryError:
        raise KmcError("這是資料夾，不是檔案", str(path)) from None
    text = _laid_out(data, path)
    if text is None:
        text = decode(data, str(path))
    try:
        if text.lstrip().startswith("{"):
            try:
                doc = json.loads(text)
            except json.JSONDecodeError as exc:
                raise KmcError(json_problem(exc.msg), str(path), exc.lineno) from None
            std = read_ocs_json(doc, str(path), warn)
        else:
            std = read_icap_text(text, str(path), warn)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise KmcError(f"此檔案讀出的職能基準資料有誤：{validation_text(err)}",
                       str(path)) from None
    return std.model_copy(update={"source": path.name})
