"""Importers: one reader per input format, all producing the same validated model."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable

from pydantic import ValidationError

from .. import lifecycle
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
    lifecycle.done()
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
    _check_versions(std, path.name, warn)
    return std.model_copy(update={"source": path.name})


# A date cell that holds no date: what converters and forms put there instead.
_NO_DATE = re.compile(r"(?i)unknown|n/?a|none|null|tbd|不詳|未知|無|[-‐–—－]+")
_VERSION_CODE = re.compile(r"[A-Z]{3}\d{4}-\d{3}v(\d+)")


def _check_versions(std: Standard, name: str, warn: Warn) -> None:
    """Warn about version rows whose date is a placeholder (「Unknown」) or whose version cell
    holds a whole standard code (「BHR2422-006v4」 for 「V4」).  Both are kept as printed,
    as the real standards' gold files keep them."""
    no_date = [v.version for v in std.versions if _NO_DATE.fullmatch(v.date.strip())]
    if no_date:
        dates = "、".join(dict.fromkeys(f"「{v.date}」" for v in std.versions
                                        if v.version in no_date))
        warn(f"{std.code}：{name} 版本 {'、'.join(no_date)} 的發展更新日期印作{dates}，"
             f"不是日期；保留來源所印，未推定日期")
    codes = [(v.version, m.group(1)) for v in std.versions
             if (m := _VERSION_CODE.fullmatch(v.version))]
    if codes:
        warn(f"{std.code}：{name} 版本欄印的是職能基準代碼而不是版本編號（"
             + "、".join(f"「{c}」應為「V{n}」" for c, n in codes) + "）；保留來源所印")
