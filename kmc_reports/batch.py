"""Importing many files in one run: each file on its own, so a bad one is refused and reported
while the rest are still imported.  The reading itself is :func:`importers.import_file`; this
module only walks the files, writes each model file (atomically, keeping hand corrections)
and describes what happened, for the summary table and the --report file."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .analyses.lint import damaged_text
from .corrections import apply_corrections
from .errors import KmcError, os_message
from .importers import import_file
from .importers.text import width
from .store import load_standard, save_standard

IMPORTABLE = (".txt", ".json", ".pdf", ".docx", ".odt")
COLUMNS = ["檔案", "代碼", "名稱", "工作任務數", "警告數", "結果"]
REPORT_FORMATS = (".xlsx", ".json")


@dataclass
class Imported:
    """One file of the run: what it held, its warnings, and the model file written — or the
    one-line reason it was refused."""

    file: str
    code: str = ""
    name: str = ""
    tasks: int | None = None
    warnings: list[str] = field(default_factory=list)
    output: str = ""
    reason: str = ""  # why it was refused ("" when imported)
    error: str = ""  # the same as one line naming the file (for stderr)

    @property
    def refused(self) -> bool:
        return bool(self.reason)

    @property
    def status(self) -> str:
        if self.refused:
            return "refused"
        return "imported_with_warnings" if self.warnings else "imported"

    @property
    def result(self) -> str:
        if self.refused:
            return f"拒絕：{self.reason}"
        return "已匯入（有警告）" if self.warnings else "已匯入"

    def cells(self) -> list:
        """The row of the summary table (and of the workbook)."""
        return [self.file, self.code, self.name, "" if self.tasks is None else self.tasks,
                len(self.warnings), self.result]

    def as_json(self) -> dict:
        return {"file": self.file, "code": self.code or None, "name": self.name or None,
                "tasks": self.tasks, "warnings": self.warnings, "status": self.status,
                "result": self.result, "reason": self.reason or None,
                "output": self.output or None}


def expand(args: Iterable[Path]) -> list[Path]:
    """The files to import, in the order given; a folder stands for its importable files
    (by extension, sorted by name, hidden files left out).  A file named twice is imported
    once.  A folder with nothing to import is a usage error."""
    files: list[Path] = []
    seen: set[Path] = set()
    for arg in args:
        if arg.is_dir():
            found = sorted((p for p in arg.iterdir() if p.suffix.lower() in IMPORTABLE
                            and not p.name.startswith(".") and p.is_file()),
                           key=lambda p: p.name)
            if not found:
                raise KmcError("資料夾中沒有可匯入的檔案（" + "、".join(IMPORTABLE) + "）",
                               str(arg))
        else:
            found = [arg]
        for path in found:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                files.append(path)
    return files


def check_report(path: Path | None) -> None:
    """--report must name an .xlsx or .json file; checked before anything is imported."""
    if path is None:
        return
    if path.suffix.lower() not in REPORT_FORMATS:
        raise KmcError("--report 的副檔名必須是 .xlsx 或 .json", str(path))
    if path.is_dir():
        raise KmcError("--report 是資料夾，請指定檔案", str(path))


def import_all(files: list[Path], out: Path, warn: Callable[[str], None]) -> Iterator[Imported]:
    """Import each file into OUT/<code>.yaml, yielding one :class:`Imported` per file as it
    is done.  A file whose code an earlier file of this run was imported as is refused."""
    codes: dict[str, str] = {}
    for path in files:
        yield _import_one(path, out, codes, warn)


def _import_one(path: Path, out: Path, codes: dict[str, str],
                warn: Callable[[str], None]) -> Imported:
    row = Imported(str(path))

    def note(message: str) -> None:
        row.warnings.append(message)
        warn(message)

    try:
        std = import_file(path, note)
        for finding in damaged_text(std):  # the source is damaged: say so on import too
            note(f"{std.code}：{finding.message}")
        row.code, row.name = std.code, std.name
        row.tasks = sum(1 for _ in std.tasks())
        if std.code in codes:
            return _refuse(row, f"代碼 {std.code} 已由 {codes[std.code]} 匯入"
                                f"（同一次匯入只能有其中一個檔案）")
        target = out / f"{std.code}.yaml"
        if target.exists():  # keep the hand corrections of the model file it replaces
            previous = load_standard(target)
            if previous.corrections:
                std = apply_corrections(std, previous.corrections, note)
        save_standard(std, target)
        row.output = str(target)
        codes[std.code] = row.file
    except KmcError as exc:
        same_file = exc.path == row.file
        where = f"第 {exc.line} 行：" if same_file and exc.line else ""
        return _refuse(row, where + exc.message if same_file else str(exc))
    except OSError as exc:
        name = exc.filename if exc.filename and str(exc.filename) != row.file else None
        return _refuse(row, f"{name}：{os_message(exc)}" if name else os_message(exc))
    except Exception as exc:  # noqa: BLE001 — a reader's bug must not stop the other files
        return _refuse(row, f"讀取時發生未預期的錯誤（{type(exc).__name__}：{exc}），"
                            f"請回報此檔案")
    return row


def _refuse(row: Imported, reason: str) -> Imported:
    row.reason = " ".join(reason.split())  # one line, whatever the message held
    row.error = f"{row.file}: {row.reason}"
    return row


# -- the summary ------------------------------------------------------------------------------

def table(rows: list[Imported]) -> str:
    """The summary as aligned text, and a count line."""
    return aligned([COLUMNS] + [row.cells() for row in rows]) + "\n" + summary(rows) + "\n"


def aligned(rows: list[list]) -> str:
    """Rows of cells as text columns two spaces apart, CJK characters counting double; the
    last column is not padded.  Every line ends with a newline."""
    cells = [[str(c) for c in row] for row in rows]
    count = max((len(r) for r in cells), default=0)
    widths = [max((width(r[i]) for r in cells if i < len(r)), default=0)
              for i in range(count - 1)]
    return "".join("  ".join([c + " " * (w - width(c)) for c, w in zip(r, widths)]
                             + r[len(widths):]).rstrip() + "\n" for r in cells)


def summary(rows: list[Imported]) -> str:
    refused = sum(r.refused for r in rows)
    warned = sum(1 for r in rows if not r.refused and r.warnings)
    return (f"共 {len(rows)} 個檔案：已匯入 {len(rows) - refused} 個"
            f"（其中 {warned} 個有警告），拒絕 {refused} 個")


def report_json(rows: list[Imported]) -> bytes:
    return (json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2)
            + "\n").encode("utf-8")


def report(rows: list[Imported], path: Path) -> bytes:
    """The --report file's bytes, by its extension (checked by :func:`check_report`)."""
    if path.suffix.lower() == ".json":
        return report_json(rows)
    from .writers.import_xlsx import write_import_xlsx

    return write_import_xlsx(rows)
