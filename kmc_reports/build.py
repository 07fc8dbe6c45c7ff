"""Orchestration: a data folder, what each command makes from it, and the whole build.

The command line is a thin shell over :class:`Project`.  Every file a command makes is staged
in memory (:mod:`.staging`) and written only when all of them succeeded; before anything is
rendered, a build checks what it needs (course specs, the font's coverage of every text), so
bad input fails first and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from .analyses import lint as lint_mod
from .analyses.syllabus import load_levels
from .analyses.syllabus import plan as plan_course
from .config import load_config
from .course import CourseSpec, load_course, validate_against
from .errors import KmcError, validation_message
from .reports import Options, Output, comparison_document, job_document, profile_document
from .staging import Staged
from .store import Library

Warn = Callable[[str], None]


class Project:
    """A data folder (standards, course specs, crosswalk decisions, level descriptors) and
    the options every command shares."""

    def __init__(self, data: Path, templates: Path | None, config: Path | None,
                 font: str | None, warn: Warn):
        self.data = data
        self.library = Library(data / "standards")
        self.templates, self.config_path, self.font, self.warn = templates, config, font, warn

    def options(self, formats: tuple[str, ...], **kwargs) -> Options:
        return Options(formats=formats, templates=self.templates,
                       config=load_config(self.config_path), font=self.font, **kwargs)

    # -- courses -------------------------------------------------------------------------
    def course(self, code: str) -> tuple[CourseSpec, Path | None]:
        """The course spec of a standard in data/courses/, else a plain one covering all its
        tasks."""
        path = self.data / "courses" / f"{code}.yaml"
        if path.is_file():
            return load_course(path), path
        std = self.library.get(code)
        return CourseSpec(name=f"{std.name}實務", standards=[code],
                          total_hours=max(6, 3 * sum(1 for _ in std.tasks())),
                          audience=f"擔任或有意擔任{std.name}者"), None

    def syllabus(self, spec: CourseSpec, path: Path | None, hours: float | None,
                 exclude: dict[str, str] | None = None):
        """Plan a course: the spec (with --hours), checked against the standards it names."""
        if hours is not None:
            try:
                spec = CourseSpec.model_validate({**spec.model_dump(), "total_hours": hours})
            except ValidationError as exc:
                raise KmcError(f"--hours {hours:g}：{validation_message(exc.errors()[0])}") \
                    from None
        missing = [c for c in spec.standards if c not in self.library.codes()]
        if missing:
            raise KmcError(f"standards：{missing[0]} 不在資料夾 {self.library.folder}",
                           str(path) if path else None)
        standards = self.library.load(spec.standards)
        try:
            validate_against(spec, standards, path)
        except KmcError as exc:
            if hours is not None and exc.message.startswith("total_hours："):
                # the hours are the option's, not the spec's
                raise KmcError(f"--hours {hours:g}：{exc.message.split('：', 1)[1]}") from None
            raise
        own = self.data / "levels.yaml"  # a data folder may bring its own wording
        return plan_course(standards, spec, load_levels(own if own.is_file() else None),
                           exclude)

    # -- comparison ----------------------------------------------------------------------
    def decisions(self):
        """data/crosswalk.yaml, with a warning for each decision that no longer fits the data
        folder (checked against all its standards, whichever ones are being compared)."""
        from .analyses import crosswalk

        decisions = crosswalk.load_decisions(self.data / "crosswalk.yaml")
        for problem in decisions.check(self.library.load()):
            self.warn(str(problem))
        return decisions

    def comparison(self, codes: Iterable[str], out: Path, formats: tuple[str, ...],
                   staged: Staged) -> list[Path]:
        """The workbook at OUT and, for docx/pdf/html, the summary beside it."""
        from .analyses import crosswalk
        from .writers.comparison_xlsx import write_comparison_xlsx

        standards = self.library.load(list(codes))
        cw = crosswalk.build_crosswalk(standards, self.decisions())
        findings = lint_mod.lint_all(standards)
        if out.suffix.lower() != ".xlsx":
            out = out.with_name(out.name + ".xlsx")
        opts = self.options(formats)
        return Output(opts, staged).documents(
            comparison_document(standards, cw, findings, opts),
            out.with_name(out.stem + "-summary"),
            {"xlsx": lambda: write_comparison_xlsx(standards, cw, findings)}, {"xlsx": out})

    # -- the build -------------------------------------------------------------------------
    def build(self, out: Path, progress: Callable[[Iterable], Iterable] = lambda xs: xs
              ) -> BuildResult:
        """Every report of every standard, the comparison and the lint report, written only
        when all of them were made."""
        standards = self.library.load()
        courses = {std.code: self.course(std.code) for std in standards}  # specs first
        self._check_courses(standards)
        findings = lint_mod.lint_all(standards)
        documents = Output(self.options(("docx", "pdf", "html")), Staged())
        documents.check_printable(standards, self.library)
        forms = Output(self.options(("docx", "pdf", "xlsx")), documents.staged)
        result = BuildResult(out=out, standards=len(standards), findings=len(findings))
        for std in progress(standards):
            folder = out / std.code
            opts = documents.opts
            result.documents += len(documents.documents(profile_document(std, opts),
                                                        folder / f"{std.code}-profile"))
            result.documents += len(documents.documents(job_document(std, opts),
                                                        folder / f"{std.code}-job"))
            result.documents += len(forms.checklist(std, folder / f"{std.code}-checklist"))
            spec, path = courses[std.code]
            files, checks = forms.syllabus(self.syllabus(spec, path, None), folder, std.code)
            result.documents += len(files)
            result.failed_checks += [(std, check) for check in checks if not check.ok]
        result.comparison = self.comparison((), out / "comparison.xlsx",
                                            ("xlsx", "docx", "pdf"), documents.staged)[0]
        documents.staged.add(out / "lint.txt", lint_mod.render(findings, "table").encode())
        documents.staged.add(out / "lint.json", lint_mod.render(findings, "json").encode())
        documents.staged.commit()
        return result


    def _check_courses(self, standards: list) -> None:
        """A course spec the build would not use (its file names no standard of the folder):
        say so, it is never silently ignored."""
        codes = {std.code for std in standards}
        for path in sorted((self.data / "courses").glob("*.y*ml")):
            if path.stem not in codes:
                self.warn(f"{path}：資料夾中沒有職能基準 {path.stem}，此課程設定未使用"
                          f"（檔名應為所規劃職能基準的代碼）")


@dataclass
class BuildResult:
    out: Path
    standards: int
    findings: int
    documents: int = 0
    comparison: Path | None = None
    failed_checks: list = field(default_factory=list)  # (standard, syllabus check) pairs
