"""Organisation defaults (name, logo, fonts) from an optional YAML file.

``--config FILE``, else ``kmc-reports.yaml`` in the working folder, else built-in defaults:
fonts common in Taiwanese offices for Word, the bundled Noto Sans TC for PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from .errors import KmcError
from .store import read_yaml


NUMBERS = {"gap_bar": (1, 5)}  # keys whose values are numbers, and their range
CHOICES = {"gap_by": ("supervisor", "self", "lower")}
HR_FIELDS = ("department", "supervisor", "grade", "location", "effective_date", "approved_by")


@dataclass(frozen=True)
class Config:
    org_name: str = ""
    logo: str = ""
    docx_font: str = "Calibri"  # Latin text in Word
    docx_font_east_asia: str = "微軟正黑體"  # Chinese text in Word (w:eastAsia)
    pdf_font: str = ""  # a TrueType file; empty: Noto Sans TC
    pdf_font_bold: str = ""
    # what HR fills in on a job description (--layout job); empty: a blank line to fill in
    department: str = ""  # 部門
    supervisor: str = ""  # 直屬主管
    grade: str = ""  # 職等
    location: str = ""  # 工作地點
    effective_date: str = ""  # 生效日期
    approved_by: str = ""  # 核定
    # gap analysis (kmc-reports gap): a task is a gap below this mean rating (1–5; --bar),
    # decided by the supervisor's, the self or the lower rating when both are given
    gap_bar: float = 3.0
    gap_by: str = "supervisor"
    path: str = ""  # the file these came from (not a key): names it in errors, and its
    # folder is one a template's images may come from (see images.allowed_roots)

    @property
    def hr(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in HR_FIELDS}

    @property
    def org(self) -> dict:
        return {"name": self.org_name, "logo": self.logo}


def load_config(path: str | Path | None = None) -> Config:
    if path is None:
        default = Path("kmc-reports.yaml")
        if not default.is_file():
            return Config()
        path = default
    path = Path(path)
    data = read_yaml(path)[0] or {}
    if not isinstance(data, dict):
        raise KmcError("設定檔應為「設定: 值」對照", str(path))
    known = {f.name for f in fields(Config)} - {"path"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise KmcError(f"不認得的設定 {unknown[0]!r}（可用的設定：{'、'.join(sorted(known))}）",
                       str(path))
    bad = [k for k, v in data.items() if not isinstance(v, str) and k not in NUMBERS]
    if bad:
        raise KmcError(f"設定 {bad[0]!r} 必須是文字（實際：{data[bad[0]]!r}）", str(path))
    for key, (low, high) in NUMBERS.items():
        value = data.get(key, low)
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not low <= value <= high:
            raise KmcError(f"設定 {key!r} 必須是 {low} 到 {high} 之間的數字（實際：{value!r}）",
                           str(path))
    for key, choices in CHOICES.items():
        if data.get(key, choices[0]) not in choices:
            raise KmcError(f"設定 {key!r} 必須是 {'、'.join(choices)} 之一（實際：{data[key]!r}）",
                           str(path))
    base = path.parent
    for key in ("logo", "pdf_font", "pdf_font_bold"):  # paths are relative to the file
        if data.get(key) and not Path(data[key]).is_absolute():
            data[key] = str(base / data[key])
    return Config(**data, path=str(path))
