"""The reports: which template each uses, what it is given, and where its files go.

A report is defined once, by its template; this module only gathers the template's context
and hands the document to the writers of the formats asked for.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from . import images, views
from .staging import Staged
from .config import HR_FIELDS, Config
from .document import Document
from .errors import KmcError
from .fonts import FontSet, default_fonts, fonts_from_path, missing_characters, system_font
from .model import Standard

if TYPE_CHECKING:
    from .analyses.diff import StandardDiff
    from .analyses.gaps import Bar, PersonGaps, TeamGaps

DOCUMENT_FORMATS = ("docx", "pdf", "html")


@dataclass
class Options:
    """What the command line chose: formats, templates, fonts, and job-description details."""

    formats: tuple[str, ...] = ("docx", "pdf")
    templates: str | None = None
    config: Config = field(default_factory=Config)
    font: str | None = None
    title: str | None = None
    tasks: str | None = None
    org: str | None = None
    logo: str | None = None
    hr: dict[str, str | None] = field(default_factory=dict)  # job description: HR_FIELDS
    jobs: int | None = None  # processes for commands that make many documents (all cores)


def _hr(opts: Options) -> dict[str, str]:
    """The job description's HR fields: the command line's, else the config file's."""
    return {k: v if (v := opts.hr.get(k)) is not None else opts.config.hr[k]
            for k in HR_FIELDS}


def parse_formats(text: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    bad = [f for f in formats if f not in allowed]
    if not formats:
        raise KmcError(f"--format：未指定格式（可用：{'、'.join(allowed)}）")
    if bad:
        raise KmcError(f"--format：{'、'.join(bad)} 不是可用的格式（{'、'.join(allowed)}）")
    return formats


def _org(opts: Options) -> dict:
    return {"name": opts.org if opts.org is not None else opts.config.org_name,
            "logo": images.logo(opts.logo, opts.config)}


def _images(opts: Options) -> images.ImagePolicy:
    """Where the templates' <img src> may point (see images.allowed_roots), and the logo."""
    return images.ImagePolicy.of(opts.templates, opts.config, _org(opts)["logo"])


def _render(name: str, context: dict, opts: Options) -> Document:
    """The template `name` (the user's copy, else the built-in one) rendered to a document."""
    from .templating import render  # Jinja is loaded by the commands that make documents

    return render(name, context, opts.templates, _images(opts))


def profile_document(std: Standard, opts: Options) -> Document:
    return _render("profile-icap.xml.j2", {
        "std": std, "rows": views.profile_rows(std), "version": std.latest_version(),
        "footnotes": views.footnote_marks(std), "org": _org(opts)}, opts)


def job_document(std: Standard, opts: Options) -> Document:
    selected = views.select_tasks(std, opts.tasks)
    left_out = [t.code for _, t in std.tasks() if selected.task(t.code) is None]
    return _render("job-description.xml.j2", {
        "std": selected, "full": std, "left_out": left_out,
        "title": opts.title or std.name, "version": std.latest_version(),
        "task_levels": sorted({lv for _, t in selected.tasks() for lv in t.levels}),
        "knowledge": views.competencies(selected, "K"),
        "skills": views.competencies(selected, "S"), "org": _org(opts), "hr": _hr(opts)},
        opts)


def comparison_document(standards: list[Standard], cw, findings, opts: Options) -> Document:
    from .analyses.comparison import KINDS, jaccard, overview, shared_unique

    return _render("comparison.xml.j2", {
        "standards": [overview(s) for s in standards], "cw": cw, "kinds": KINDS, "findings": findings,
        "jaccard": {k: jaccard(cw, k) for k, _ in KINDS}, "counts": shared_unique(cw),
        "shared_concepts": {k: [c for c in cw.concepts if c.kind == k and len(c.standards) > 1]
                            for k, _ in KINDS},
        "org": _org(opts)}, opts)


def checklist_document(std: Standard, opts: Options) -> Document:
    return _render("checklist.xml.j2", {
        "std": std, "version": std.latest_version(),
        "knowledge": views.competencies(std, "K"), "skills": views.competencies(std, "S"),
        "scale": views.RATING_SCALE, "org": _org(opts)}, opts)


def diff_document(d: StandardDiff, opts: Options) -> Document:
    from .analyses.diff import CHANGES, KINDS

    return _render("diff.xml.j2", {
        "diff": d, "counts": d.counts(), "kinds": KINDS, "changes": CHANGES,
        "old_version": d.old.latest_version(), "new_version": d.new.latest_version(),
        "org": _org(opts)}, opts)


def syllabus_document(plan, opts: Options, source: Standard | None = None):
    """The syllabus, rendered, checked, and rendered again with the check in its appendix;
    returns the document and the checks.  `source`: the standard an upskilling course
    builds on."""
    from .analyses.syllabus import ASSESSMENT_MINUTES, ASSESSMENTS, METHODS, \
        TEACHING_MINUTES, TOOLS, WEIGHTS, coverage, hour_basis
    from .analyses.course_report import report_tables
    from .syllabus_check import check_syllabus

    context = {"plan": plan, "methods": METHODS, "assessment_methods": ASSESSMENTS,
               "course_report": report_tables(plan),
               "assessment_tools": TOOLS, "org": _org(opts), "source": source,
               "weights": {k: f"{float(v):g}" for k, v in WEIGHTS.items()},
               "minimum": {"teaching": TEACHING_MINUTES, "assessment": ASSESSMENT_MINUTES},
               "basis": hour_basis(plan),
               "spans": {"t1": {col: views.merge_spans([tuple(getattr(t, col)) for t in
                                                        plan.tasks])
                                for col in ("knowledge", "skills")}},
               "coverage": [{"code": code, "name": words, "units": hits}
                            for _, kind, code, words, hits in coverage(plan)
                            if kind in "KS"]}
    draft = _render("syllabus.xml.j2", {**context, "checks": None}, opts)
    checks = check_syllabus(draft, plan)
    return _render("syllabus.xml.j2", {**context, "checks": checks}, opts), checks


# -- gap analysis (職能落差分析) ----------------------------------------------------------

_DECIDED_BY = {"supervisor": "主管評分，未評時依自評", "self": "自評",
               "lower": "自評與主管評分之較低者"}


def bar_text(bar: Bar) -> str:
    """The bar as a reader of the report is told it."""
    label = dict(views.RATING_SCALE).get(int(bar.required)) if float(
        bar.required).is_integer() else None
    return (f"工作任務的採計分數（{_DECIDED_BY.get(bar.by, bar.by)}，各行為指標評分的平均）"
            f"達 {score_text(bar.required)}{f'（{label}）' if label else ''}以上為達成，"
            f"低於即為落差；達 {score_text(bar.strong)} 以上列為優勢")


def score_text(value: float | None, digits: int = 2) -> str:
    """A score as every gap report prints it: 3.25, 「—」 when not rated."""
    return "—" if value is None else f"{value:.{digits}f}"


def diff_text(value: float | None) -> str:
    """Supervisor − self, signed: +0.50, −1.00, 0.00."""
    if value is None:
        return "—"
    if round(value, 2) == 0:
        return "0.00"
    return f"{'+' if value > 0 else '−'}{abs(value):.2f}"


def person_stems(people: list[str]) -> list[str]:
    """File names for people's reports: ``NNN-<name>`` numbered in input order (so two names
    that read alike once made safe, or differ only in case, never share a file), the name
    without what file systems refuse (/ \\ : * ? " < > | and control characters), spaces
    as _, at most 40 characters."""
    width = max(3, len(str(len(people))))
    stems = []
    for i, person in enumerate(people, 1):
        name = unicodedata.normalize("NFC", person)
        name = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "_", name)
        name = re.sub(r"\s+", "_", name).strip("._")[:40].strip("._") or "未具名"
        stems.append(f"{i:0{width}d}-{name}")
    return stems


def gap_bar(required: float | None, config: Config) -> Bar:
    """The bar: --bar, else the config file's gap_bar; decided by its gap_by."""
    from .analyses.gaps import Bar

    if required is not None and not 1 <= required <= 5:
        raise KmcError(f"--bar {required:g}：門檻應在評分量尺 1–5 之間")
    required = float(config.gap_bar if required is None else required)
    return Bar(required, config.gap_by, max(Bar.strong, required))


def check_hours(hours: float | None) -> None:
    """--hours as a course spec takes total_hours (> 0, at most 2000, in half hours)."""
    if hours is None:
        return
    from pydantic import TypeAdapter, ValidationError

    from .course import Hours
    from .errors import validation_message

    try:
        TypeAdapter(Hours).validate_python(hours)
    except ValidationError as exc:
        raise KmcError(f"--hours {hours:g}：{validation_message(exc.errors()[0])}") from None


def _gap_context(std: Standard, plan, plan_file: str, files: list[str], opts: Options):
    return {"std": std, "version": std.latest_version(), "scale": views.RATING_SCALE,
            "plan": plan, "plan_file": plan_file, "files": [Path(f).name for f in files],
            "num": score_text,
            "signed": diff_text, "org": _org(opts)}


def gap_groups(tasks: list) -> list[tuple[list, list]]:
    """Gap tasks with their indicators, a block of tasks the source printed with one set of
    indicators (each counts them all) as one group, so its indicators print once."""
    groups: list[tuple[list, list]] = []
    for t in tasks:
        same = groups and [(i.code, i.text) for i in groups[-1][1]] == [
            (i.code, i.text) for i in t.indicators]
        if same:
            groups[-1][0].append(t)
        else:
            groups.append(([t], t.indicators))
    return groups


def gap_person_document(pg: PersonGaps, std: Standard, plan, plan_file: str,
                        files: list[str], opts: Options) -> Document:
    return _render("gap-person.xml.j2", {
        **_gap_context(std, plan, plan_file, files, opts), "pg": pg,
        "groups": gap_groups(pg.gaps), "bar": bar_text(pg.bar)}, opts)


def gap_team_document(team: TeamGaps, std: Standard, plan, plan_file: str,
                      files: list[str], opts: Options) -> Document:
    from .analyses.gaps import TEAM_SHARE, team_course_tasks

    return _render("gap-team.xml.j2", {
        **_gap_context(std, plan, plan_file, files, opts), "team": team,
        "bar": bar_text(team.bar), "share": TEAM_SHARE,
        "course_tasks": team_course_tasks(team)}, opts)


def text_size(std: Standard) -> int:
    """How much a standard's documents print: what laying them out takes grows with it."""
    return sum(len(text) for _, text in std.texts())


class Output:
    """Renders a report's formats next to each other into ``staged``, which the command
    writes once everything it makes has succeeded."""

    def __init__(self, opts: Options, staged: Staged):
        self.opts, self.staged = opts, staged
        self._fonts: FontSet | None = None

    def each(self, items: list, make: Callable[["Output", object], object],
             size: Callable[[object], float] | None = None) -> list:
        """``make(output, item)`` for every item, on every core (:mod:`.parallel`): each
        renders into an Output of its own, whose files join this one's in the items' order;
        returns what each ``make`` returned.  `size` tells which items are the most work
        (they start first)."""
        from functools import partial

        from . import parallel

        if "pdf" in self.opts.formats:  # registered once, before the workers fork
            from .fonts import register_reportlab
            register_reportlab(self.fonts())

        def one(item):
            own = Output(self.opts, Staged())
            own._fonts = self._fonts
            return make(own, item), list(own.staged.files.items())

        results = []
        sizes = [size(item) for item in items] if size else None
        for result, files in parallel.run([partial(one, item) for item in items],
                                          self.opts.jobs, sizes):
            for path, data in files:
                self.staged.add(path, data)
            results.append(result)
        return results

    def fonts(self) -> FontSet:
        if self._fonts is None:
            config = self.opts.config
            if self.opts.font:
                path = Path(self.opts.font)
                found = path if path.exists() else system_font(self.opts.font)
                if found is None:
                    raise KmcError(f"--font：找不到名為 {self.opts.font!r} 的字型檔或已安裝字型")
                self._fonts = fonts_from_path(found)
            elif config.pdf_font:
                self._fonts = fonts_from_path(config.pdf_font, config.pdf_font_bold or None)
            else:
                self._fonts = default_fonts()
        return self._fonts

    def check_printable(self, standards: list[Standard], library) -> None:
        """Before anything is rendered: every text of every standard has a glyph in the PDF
        font — else one error naming the standard's file, the place and the characters."""
        if "pdf" not in self.opts.formats:
            return
        fonts = self.fonts()
        for std in standards:
            for place, text in std.texts():
                missing = missing_characters(fonts.regular, text)
                if missing:
                    shown = "、".join(f"「{c}」U+{ord(c):04X}" for c in missing[:6])
                    raise KmcError(f"{std.code} 的 {place}：字型 {fonts.family} 缺少{shown}的字形"
                                   f"（{text[:30]}）；請修正資料，或以 --font 指定涵蓋這些字的字型",
                                   str(library.path(std.code)))

    def documents(self, doc: Document, stem: Path,
                  extra: dict[str, Callable[[], bytes]] | None = None,
                  paths: dict[str, Path] | None = None) -> list[Path]:
        """Every format, rendered to memory (written when the command commits)."""
        writers: dict[str, Callable[[], bytes]] = {
            fmt: lambda fmt=fmt: self._write(fmt, doc) for fmt in DOCUMENT_FORMATS}
        writers.update(extra or {})
        paths = paths or {}
        return [self.staged.add(paths.get(fmt, stem.with_name(f"{stem.name}.{fmt}")),
                                writers[fmt]())
                for fmt in self.opts.formats if fmt in writers]

    def _write(self, fmt: str, doc: Document) -> bytes:
        """`doc` as DOCX, PDF or HTML; a writer (and its library) is loaded when first used."""
        if fmt == "docx":
            from .writers.docx import write_docx
            return write_docx(doc, self.opts.config, self.fonts)
        if fmt == "pdf":
            from .writers.pdf import write_pdf
            return write_pdf(doc, self.fonts())
        from .writers.html import write_html
        return write_html(doc, self.fonts)

    def checklist(self, std: Standard, stem: Path) -> list[Path]:
        """The checklist document, and the workbook whose ratings can be read back."""
        from .writers.checklist_xlsx import write_checklist_xlsx

        org = _org(self.opts)["name"]
        return self.documents(checklist_document(std, self.opts), stem,
                              {"xlsx": lambda: write_checklist_xlsx(std, org)})

    def diff(self, d: StandardDiff, stem: Path) -> list[Path]:
        """The comparison document, and the workbook with one row per change."""
        from .writers.diff_xlsx import write_diff_xlsx

        return self.documents(diff_document(d, self.opts), stem,
                              {"xlsx": lambda: write_diff_xlsx(d)})

    def syllabus(self, plan, folder: Path, name: str, source: Standard | None = None):
        """The course report draft <name>-syllabus.*, and <name>-coverage.xlsx beside it;
        returns the files written and the consistency checks."""
        from .writers.coverage_xlsx import write_coverage_xlsx

        doc, checks = syllabus_document(plan, self.opts, source)
        return self.documents(doc, folder / f"{name}-syllabus",
                              {"xlsx": lambda: write_coverage_xlsx(plan)},
                              {"xlsx": folder / f"{name}-coverage.xlsx"}), checks

    def gap_person(self, pg: PersonGaps, std: Standard, plan, folder: Path, stem: str,
                   files: list[str], drafts: bool = False) -> list[Path]:
        """One person's gap report <stem>.*; the course planned on their gap tasks, when there
        is one, as the course spec <stem>-course.yaml a designer edits and turns into the
        syllabus, and with ``drafts`` also drafted as that syllabus, <stem>-syllabus.* (with
        <stem>-coverage.xlsx)."""
        from .course import dump_course

        doc = gap_person_document(pg, std, plan, self._plan_file(stem, drafts), files,
                                  self.opts)
        written = self.documents(doc, folder / stem)
        if plan is not None:
            spec = f"{stem}-course.yaml"
            written.append(self.staged.add(folder / spec, dump_course(plan.spec, (
                f"{pg.person} 的建議訓練計畫：kmc-reports gap 依職能基準 {std.code} 的評分，"
                f"就未達門檻的工作任務規劃。\n可修改後以「kmc-reports syllabus {spec}」"
                "產生課程規劃報告書草案。"))))
            if drafts:
                written += self.syllabus(plan, folder, stem)[0]
        return written

    def gap_team(self, team: TeamGaps, std: Standard, plan, folder: Path, stem: str,
                 files: list[str]) -> list[Path]:
        """The team workbook <stem>.xlsx, its printable summary <stem>.*, and the team
        course as the syllabus <stem>-syllabus.* when there is one."""
        from .analyses.gaps import team_course_tasks
        from .writers.gap_xlsx import write_gap_xlsx

        doc = gap_team_document(team, std, plan, self._plan_file(stem), files, self.opts)
        written = self.documents(doc, folder / stem, {
            "xlsx": lambda: write_gap_xlsx(team, std, plan, files, bar_text(team.bar),
                                           team_course_tasks(team), self._plan_file(stem))})
        if plan is not None:
            written += self.syllabus(plan, folder, stem)[0]
        return written

    def _plan_file(self, stem: str, drafts: bool = True) -> str:
        """The name of a gap report's training plan, as the report refers to it: the
        drafted syllabus, else the course spec it is made from."""
        if not drafts:
            return f"{stem}-course.yaml"
        fmt = next((f for f in self.opts.formats if f in DOCUMENT_FORMATS), "docx")
        return f"{stem}-syllabus.{fmt}"

    def check_names(self, ratings) -> None:
        """The people's names have glyphs in the PDF font (else one error naming the name
        and where it is written)."""
        if "pdf" not in self.opts.formats:
            return
        fonts = self.fonts()
        for name in ratings.people:
            missing = missing_characters(fonts.regular, name)
            if missing:
                shown = "、".join(f"「{c}」U+{ord(c):04X}" for c in missing[:6])
                where = next(r.where for r in ratings.rows if r.person == name)
                raise KmcError(f"受評者「{name}」：字型 {fonts.family} 缺少{shown}的字形；"
                               "請以 --font 指定涵蓋這些字的字型", where)
