"""Ratings as HR hands them back, made with a fixed seed: team workbooks of any size with
realistic patterns, filled-in checklists, and malformed variants with the cell each one's
error must name.

A person has an overall ability, is stronger in some duties and weaker in others, some
tasks are hard for most people, and self ratings run a little above the supervisor's; a
few people give only self ratings.  Everything is filled in with openpyxl as a person would
in Excel, with ratings typed as 3, 3.0 or "3".  The indicator list is read from the model
here, independently of `kmc_reports.ratings`.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook

from kmc_reports.model import Standard
from kmc_reports.ratings import team_template
from kmc_reports.writers.checklist_xlsx import write_checklist_xlsx
from kmc_reports.writers.xlsx import write_workbook

SEED = 13
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高"
GIVEN = "志明俊傑淑芬家豪怡君雅婷冠宇建宏美玲承翰佳穎宗翰欣怡信宏詩涵柏翰雅雯彥廷"


@dataclass
class Person:
    name: str
    ratings: list[tuple[int | None, int | None]]  # (self, supervisor) per indicator


def indicators(std: Standard) -> list[tuple[str, str, str]]:
    """(duty code, task code, indicator code) in the standard's order."""
    return [(d.code, t.code, p.code) for d in std.duties for t in d.tasks
            for b in t.bands for p in b.indicators]


def names(n: int, rng: random.Random) -> list[str]:
    given = [GIVEN[i:i + 2] for i in range(0, len(GIVEN), 2)]
    pool = [s + g for s in SURNAMES for g in given]
    rng.shuffle(pool)
    return pool[:n]


def team(std: Standard, n: int, seed: int = SEED, self_only: float = 0.1) -> list[Person]:
    rng = random.Random(seed * 1000 + n)
    items = indicators(std)
    tasks = sorted({t for _, t, _ in items})
    hard = set(rng.sample(tasks, max(1, len(tasks) // 5)))  # weak for most people
    difficulty = {t: rng.gauss(0, 0.3) - (0.9 if t in hard else 0) for t in tasks}
    duties = sorted({d for d, _, _ in items})
    people = []
    for name in names(n, rng):
        ability = rng.gauss(3.3, 0.5)
        duty = {d: rng.gauss(0, 0.7) for d in duties}
        only_self = n > 1 and rng.random() < self_only
        ratings = []
        for d, t, _ in items:
            latent = ability + duty[d] + difficulty[t] + rng.gauss(0, 0.45)
            sup = _clamp(latent)
            own = _clamp(latent + 0.4 + rng.gauss(0, 0.4))
            ratings.append((own, None if only_self else sup))
        people.append(Person(name, ratings))
    return people


def _clamp(x: float) -> int:
    return max(1, min(5, round(x)))


def _typed(value: int | None, i: int):
    """A rating as Excel may hand it back: 3, 3.0 or "3"."""
    if value is None:
        return None
    return (value, float(value), str(value))[i % 3]


def team_workbook(std: Standard, people: list[Person], path: Path, spare: int = 0,
                  name_every_row: bool = False) -> Path:
    """The team template filled in: each person's name in the first row of their block
    (or in every row), both ratings; ``spare`` blocks left blank at the end."""
    wb = load_workbook(io.BytesIO(write_workbook(team_template(std, len(people) + spare))))
    ws = wb["評分"]
    n = len(indicators(std))
    for p, person in enumerate(people):
        for i, (own, sup) in enumerate(person.ratings):
            r = 2 + p * n + i
            if i == 0 or name_every_row:
                ws.cell(r, 1).value = person.name
            ws.cell(r, 6).value = _typed(own, r)
            ws.cell(r, 7).value = _typed(sup, r + 1)
    wb.save(path)
    return path


def sheets_workbook(std: Standard, people: list[Person], path: Path) -> Path:
    """One sheet per person, made by hand: a title row, the header lower down with extra
    columns, labels not in our order."""
    wb = Workbook()
    wb.remove(wb.active)
    items = indicators(std)
    for person in people:
        ws = wb.create_sheet(person.name)
        ws.append([f"{person.name} 職能評鑑"])
        ws.append([])
        ws.append(["備註", "主管評分", "指標代碼", "自評 (1-5)"])
        for (_, _, code), (own, sup) in zip(items, person.ratings):
            ws.append(["", sup, code, own])
    wb.save(path)
    return path


def checklist(std: Standard, person: Person, path: Path) -> Path:
    """A checklist filled in by ``person`` (self) and their supervisor."""
    wb = load_workbook(io.BytesIO(write_checklist_xlsx(std, "範例公司")))
    wb["填表說明"]["B4"] = person.name
    ws = wb["自我檢核"]
    ratings = iter(person.ratings)
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == "行為指標":
            own, sup = next(ratings)
            ws.cell(r, 6).value, ws.cell(r, 7).value = _typed(own, r), _typed(sup, r)
        elif ws.cell(r, 1).value == "知識":
            ws.cell(r, 6).value = 3
    wb.save(path)
    return path


# -- malformed variants --------------------------------------------------------------------

@dataclass
class Bad:
    """A malformed input: its files, the file and place the error must name, and a word of
    the expected message."""

    name: str
    files: list[Path]
    file: Path
    place: str      # 工作表「…」A1
    word: str
    standard: str | None = None


def malformed(std: Standard, other: Standard, folder: Path) -> list[Bad]:
    """Every validation case, made from a valid 12-person workbook of ``std`` (``other`` is
    another standard of the same data folder)."""
    people = team(std, 12)
    n = len(indicators(std))
    good = team_workbook(std, people, folder / "good.xlsx", spare=1)
    out: list[Bad] = []

    def variant(name: str, change, place: str, word: str, **kw) -> Path:
        wb = load_workbook(good)
        change(wb)
        path = folder / f"{name}.xlsx"
        wb.save(path)
        out.append(Bad(name, kw.pop("files", [path]), path, place, word, **kw))
        return path

    first = 2 + 3 * n  # the fourth person's first row
    ws = "評分"
    variant("unknown-code", lambda wb: _set(wb[ws], f"B{first + 4}", "P9.9.9"),
            f"工作表「{ws}」B{first + 4}", "P9.9.9")
    variant("out-of-scale", lambda wb: _set(wb[ws], f"F{first + 5}", 7),
            f"工作表「{ws}」F{first + 5}", "1–5")
    variant("half-point", lambda wb: _set(wb[ws], f"G{first + 6}", "3.5"),
            f"工作表「{ws}」G{first + 6}", "1–5")
    variant("missing-rating", lambda wb: _set(wb[ws], f"F{first + 7}", None),
            f"工作表「{ws}」F{first + 7}", "未填自評")
    variant("unrated-row", lambda wb: (_set(wb[ws], f"F{first + 8}", None),
                                       _set(wb[ws], f"G{first + 8}", None)),
            f"工作表「{ws}」F{first + 8}", "未評分")
    variant("missing-row", lambda wb: wb[ws].delete_rows(first + 2),
            f"工作表「{ws}」B{first}:B{first + n - 2}", "缺少 1 項")
    variant("no-ratings", lambda wb: [(_set(wb[ws], f"F{r}", None), _set(wb[ws], f"G{r}", None))
                                      for r in range(first, first + n)],
            f"工作表「{ws}」A{first}", "沒有任何")
    variant("same-person", lambda wb: _set(wb[ws], f"A{first}", people[0].name),
            f"工作表「{ws}」A{first}", "重複出現")
    variant("name-forgotten", lambda wb: _set(wb[ws], f"A{first}", None),
            f"工作表「{ws}」B{first}", "重複評分")
    variant("first-name-missing", lambda wb: _set(wb[ws], "A2", None),
            f"工作表「{ws}」A2", "未填姓名")
    variant("blank-code", lambda wb: _set(wb[ws], f"B{first + 1}", None),
            f"工作表「{ws}」B{first + 1}", "代碼空白")
    variant("other-version", lambda wb: _set(wb["_meta"], "B5", "V1"),
            "工作表「_meta」B5", "版")
    variant("other-standard", lambda wb: _set(wb["_meta"], "B3", other.code),
            "工作表「_meta」B3", other.code, standard=std.code)
    variant("unknown-standard", lambda wb: _set(wb["_meta"], "B3", std.code[:-1] + "9"),
            "工作表「_meta」B3", "其他版本")

    again = team_workbook(std, people[5:7], folder / "again.xlsx")
    out.append(Bad("same-person-across-files", [good, again], again, "工作表「評分」A2",
                   "重複出現"))
    mixed = team_workbook(other, team(other, 2), folder / "mixed.xlsx")
    out.append(Bad("files-of-two-standards", [good, mixed], mixed, "工作表「_meta」B3",
                   other.code))
    text = folder / "notes.xlsx"
    text.write_text("名單：王小明、李大華\n")
    out.append(Bad("not-a-workbook", [text], text, "", "無法以 Excel 活頁簿讀取"))
    foreign = Workbook()
    foreign.active.append(["姓名", "部門"])
    foreign.active.append(["王小明", "企劃部"])
    foreign.save(folder / "foreign.xlsx")
    out.append(Bad("not-ours", [folder / "foreign.xlsx"], folder / "foreign.xlsx",
                   "工作表「Sheet」第 1–20 列", "找不到評分表頭"))
    Workbook().save(folder / "empty.xlsx")
    out.append(Bad("empty-workbook", [folder / "empty.xlsx"], folder / "empty.xlsx",
                   "工作表「Sheet」A1", "活頁簿是空的"))
    blank = folder / "blank-template.xlsx"
    blank.write_bytes(write_workbook(team_template(std, 3)))
    out.append(Bad("template-not-filled", [blank], blank, "工作表「評分」A2", "沒有任何人員"))
    nameless = checklist(std, Person("", people[0].ratings), folder / "nameless.xlsx")
    out.append(Bad("checklist-without-name", [nameless], nameless, "工作表「填表說明」B4",
                   "未填姓名"))
    return out


def _set(ws, ref: str, value) -> None:
    ws[ref] = value
