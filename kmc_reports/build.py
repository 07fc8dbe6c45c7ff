"""Orchestration: a data folder, what each command makes from it, and the whole build.

The command line is a thin shell over :class:`Project`.  Every file a command makes is staged
in memory (:mod:`.staging`) and written only when all of them succeeded.  A build works
standard by standard: each one's reports are made in a worker process and written together
once that standard succeeded, only when an input that shaped them changed (:mod:`.manifest`);
a standard that fails keeps its old reports and never stops the others.  The analyses are
imported by the methods that use them, so commands that need none start fast.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from . import lifecycle
from .config import load_config
from .course import CourseSpec, load_course, validate_against
from .atomic import write_bytes
from .errors import KmcError, validation_message
from .manifest import Manifest, digest, file_digest, folder_digest, tool_digest
from .reports import Options, Output, comparison_document, job_document, profile_document
from .staging import Staged
from .store import Library

Warn = Callable[[str], None]
FORMATS = ("docx", "pdf", "html", "xlsx")  # what a build makes unless told fewer


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
        from .analyses.syllabus import plan

        return plan(standards, spec, self.levels(), exclude)

    def levels(self) -> dict[int, str]:
        """The level descriptors (職能級別): the data folder's own wording, else the bundled."""
        from .analyses.syllabus import load_levels

        own = self.data / "levels.yaml"
        return load_levels(own if own.is_file() else None)

    # -- comparison ----------------------------------------------------------------------
    def decisions(self, against: list | None = None):
        """data/crosswalk.yaml, with a warning for each decision that no longer fits the data
        folder (checked against all its standards, whichever ones are being compared, or
        against ``against``: the build's, which leaves out standards that failed)."""
        from .analyses import crosswalk

        decisions = crosswalk.load_decisions(self.data / "crosswalk.yaml")
        for problem in decisions.check(self.library.load() if against is None else against):
            self.warn(str(problem))
        return decisions

    def comparison(self, codes: Iterable[str], out: Path, formats: tuple[str, ...],
                   staged: Staged, whole: bool = True) -> list[Path]:
        """The workbook at OUT and, for docx/pdf/html, the summary beside it.  ``whole``:
        check the crosswalk decisions against the whole data folder, else against these."""
        from .analyses import crosswalk
        from .analyses import lint as lint_mod
        from .writers.comparison_xlsx import write_comparison_xlsx

        standards = self.library.load(list(codes))
        cw = crosswalk.build_crosswalk(standards,
                                       self.decisions(None if whole else standards))
        findings = lint_mod.lint_all(standards)
        if out.suffix.lower() != ".xlsx":
            out = out.with_name(out.name + ".xlsx")
        opts = self.options(formats)
        return Output(opts, staged).documents(
            comparison_document(standards, cw, findings, opts),
            out.with_name(out.stem + "-summary"),
            {"xlsx": lambda: write_comparison_xlsx(standards, cw, findings)}, {"xlsx": out})

    # -- gap analysis ---------------------------------------------------------------------
    def gap(self, output: Output, files: list[Path], code: str | None, hours: float | None,
            required: float | None, out: Path, drafts: bool = False) -> str:
        """`kmc-reports gap`: read the ratings, roll them up, then every person's report with
        the course planned on their gap tasks (people on all cores: :meth:`Output.each`),
        and the team's workbook, summary and course; returns the closing line."""
        from .analyses.gaps import gap_course, team_course_tasks, team_gaps
        from .ratings import read_ratings
        from .reports import DOCUMENT_FORMATS, check_hours, gap_bar, person_stems, score_text

        bar = gap_bar(required, output.opts.config)
        check_hours(hours)
        std, ratings = read_ratings(list(files), self.library, code)
        output.check_printable([std], self.library)
        output.check_names(ratings)
        levels = self.levels()

        def course(tasks: list[str]):
            return gap_course(std, tasks, hours, levels) if tasks else None

        sources: dict[str, set[str]] = {}  # a person's report names their own files only
        for r in ratings.rows:  # (Rating.where: "file, 工作表「…」第 N 列")
            sources.setdefault(r.person, set()).add(r.where.partition(", 工作表")[0])

        def make(own: Output, item) -> list[Path]:
            if item is None:  # the team's reports, the largest piece: first
                return own.gap_team(team, std, course(team_course_tasks(team)), out,
                                    f"{std.code}-gap-team", ratings.files)
            pg, stem = item
            files = [f for f in ratings.files if f in sources.get(pg.person, ())]
            return own.gap_person(pg, std, course([t.code for t in pg.gaps]), folder, stem,
                                  files, drafts)

        team = team_gaps(std, ratings, bar)
        folder = out / f"{std.code}-gap"
        people = list(zip(team.people, person_stems(ratings.people)))
        if not any(f in DOCUMENT_FORMATS for f in output.opts.formats):
            people = []  # xlsx alone: the team's workbook and course
        output.each([None, *people], make)
        lacking = sum(1 for pg in team.people if pg.gaps)
        return (f"{len(team.people)} 人依 {std.code} 評分：{lacking} 人有落差，"
                f"{sum(1 for _, n in team.common_gaps if n)} 項工作任務有人未達門檻 "
                f"{score_text(bar.required)}")

    # -- one standard ----------------------------------------------------------------------
    def standard_reports(self, code: str, out: Path, formats: tuple[str, ...] = FORMATS
                         ) -> tuple[list[Path], list, list[dict]]:
        """A standard's profile, job description, checklist and syllabus under OUT/<code>/
        in those of ``formats`` each report has, written together once all were made;
        returns the files, the syllabus checks that failed (name, detail) and the
        standard's lint findings (as dicts)."""
        from .analyses import lint as lint_mod

        std = self.library.get(code)
        spec, path = self.course(code)
        plan = self.syllabus(spec, path, None)

        def only(*kinds: str) -> tuple[str, ...]:
            return tuple(f for f in kinds if f in formats)

        documents = Output(self.options(only("docx", "pdf", "html")), Staged())
        documents.check_printable([std], self.library)
        forms = Output(self.options(only("docx", "pdf", "xlsx")), documents.staged)
        folder, opts, checks = out / code, documents.opts, []
        if opts.formats:
            documents.documents(profile_document(std, opts), folder / f"{code}-profile")
            documents.documents(job_document(std, opts), folder / f"{code}-job")
        if forms.opts.formats:
            forms.checklist(std, folder / f"{code}-checklist")
            checks = forms.syllabus(plan, folder, code)[1]
        files = documents.staged.commit()
        return (files, [(c.name, c.detail) for c in checks if not c.ok],
                [dataclasses.asdict(f) for f in lint_mod.lint_all([std])])

    # -- the build -------------------------------------------------------------------------
    def build(self, out: Path, jobs: int | None = None, force: bool = False,
              done: Callable[[str, str, str], None] = lambda code, status, detail: None,
              formats: tuple[str, ...] = FORMATS) -> BuildResult:
        """Every report of every standard, the comparison and the lint report.

        Only what changed is made again (see :mod:`.manifest`; ``force`` remakes all); each
        standard's reports are made in one of ``jobs`` processes (default: all cores) and
        written together once all of them succeeded; a standard that fails keeps its old
        reports and never stops the others.  ``done(code, status, detail)`` hears each
        standard as it finishes: status is built, unchanged or failed (detail: why).
        ``formats``: the formats to make (each report makes those it has)."""
        started = time.perf_counter()
        codes = self.library.codes()
        self._check_courses(codes)
        record = Manifest(out)
        formats = tuple(f for f in FORMATS if f in formats)
        shared = digest(self._shared_key(), *formats)
        result = BuildResult(out=out, standards=len(codes))
        keys = {code: self._standard_key(code, shared) for code in codes}
        stale = [c for c in codes if force or not record.fresh(c, keys[c])]
        # the largest first: the workers end together instead of one finishing a big one last
        stale.sort(key=lambda c: -self.library.path(c).stat().st_size)
        for code in codes:
            if code not in stale:
                result.unchanged += 1
                done(code, "unchanged", "")
        early = None
        try:
            early = self._early_comparison(record, out, codes, shared, force, formats,
                                           jobs, stale)
            for outcome in _run(self, out, stale, jobs, formats):
                code = outcome["code"]
                if "error" in outcome:
                    record.failed(code)
                    result.failed.append((code, outcome["error"]))
                    done(code, "failed", outcome["error"])
                else:
                    self._replace(record, code, keys[code], [Path(f) for f in outcome["files"]],
                                  {"findings": outcome["findings"]})
                    result.built += 1
                    result.documents += len(outcome["files"])
                    result.failed_checks += [(code, *c) for c in outcome["checks"]]
                    for warning in outcome["warnings"]:
                        self.warn(warning)
                    done(code, "built", "")
                record.save_every(1.0)
            failed = {code for code, _ in result.failed}
            result.removed = self._remove_gone(record, set(codes))
            try:
                result.comparison = self._comparison(
                    record, out, [c for c in codes if c not in failed], shared, force, failed,
                    formats, None if failed else early)
            except Exception as exc:  # like a standard's: one line, the rest of the build stays
                record.failed(COMPARISON)
                result.failed.append((COMPARISON, str(exc) if isinstance(exc, KmcError) else
                                      f"比較結果：內部錯誤 {type(exc).__name__}: {exc}"))
            result.findings = self._lint_files(record, out, codes)
        finally:
            if early is not None:
                early.stop()
            record.save()
        result.seconds = time.perf_counter() - started
        return result

    def settings(self) -> tuple:
        """What a worker process needs to set up the same project."""
        return (self.data, self.templates, self.config_path, self.font)

    def _shared_key(self) -> str:
        """Inputs every report depends on: the tool, templates, configuration, fonts and the
        level descriptors."""
        config = load_config(self.config_path)
        opts = self.options(("pdf",))
        fonts = Output(opts, Staged()).fonts()
        return digest(tool_digest(), folder_digest(self.templates), repr(config),
                      file_digest(Path(config.logo)) if config.logo else "",
                      file_digest(fonts.regular), file_digest(fonts.bold),
                      file_digest(self.data / "levels.yaml"))

    def _standard_key(self, code: str, shared: str) -> str:
        """A standard's reports depend on it, its course spec and the standards the spec
        draws on."""
        spec_path = self.data / "courses" / f"{code}.yaml"
        others: list[str] = []
        if spec_path.is_file():
            try:
                others = [c for c in load_course(spec_path).standards if c != code]
            except KmcError:
                others = []  # the build reports the spec's error itself
        return digest(shared, code, file_digest(self.library.path(code)), file_digest(spec_path),
                      *(file_digest(self.library.path(c)) for c in others))

    def _replace(self, record: Manifest, name: str, key: str, files: list[Path],
                 extra: dict | None = None) -> None:
        """Record a target's new files; its old files the new build no longer makes go."""
        old = record.entries.get(name)
        record.record(name, key, files, extra)
        keep = set(record.entries[name].files)
        for name in old.files if old else []:
            if name not in keep:
                (record.out / name).unlink(missing_ok=True)

    def _remove_gone(self, record: Manifest, codes: set[str]) -> list[str]:
        """Reports of standards no longer in the data folder are removed (only the files the
        build wrote, then their folder if it is empty)."""
        gone = sorted(name for name in record.entries if name not in codes | {COMPARISON})
        for name in gone:
            for file in record.entries.pop(name).files:
                (record.out / file).unlink(missing_ok=True)
            folder = record.out / name
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        return gone

    def _comparison_key(self, shared: str, codes: list[str]) -> str:
        return digest(shared, file_digest(self.data / "crosswalk.yaml"),
                      *[x for c in codes for x in (c, file_digest(self.library.path(c)))])

    def _early_comparison(self, record: Manifest, out: Path, codes: list[str], shared: str,
                          force: bool, formats: tuple[str, ...], jobs: int | None,
                          stale: list[str]) -> "_Background | None":
        """The comparison needs the standards' data, not their reports: when it is due, some
        standard is to be made and the build may use more than one core, it starts at once in
        a process of its own (of all standards, as if none will fail) instead of after the
        last standard (at 1,000 standards it is 49 s; after one edit it is most of the
        rebuild).  Used only if no standard fails; else stopped and made as
        :meth:`_comparison` says."""
        kinds = tuple(f for f in ("xlsx", "docx", "pdf") if f in formats)
        if (jobs or os.cpu_count() or 1) <= 1 or not stale or not kinds or not codes or (
                not force and record.fresh(COMPARISON, self._comparison_key(shared, codes))):
            return None
        return _Background(_compare, (self.settings(), codes, str(out / "comparison.xlsx"),
                                      kinds))

    def _comparison(self, record: Manifest, out: Path, codes: list[str], shared: str,
                    force: bool, failed: set[str], formats: tuple[str, ...],
                    early: "_Background | None" = None) -> Path | None:
        """The comparison of all standards, made again when any of them or the crosswalk
        decisions changed.  While a standard fails, an existing comparison is left as it was
        (it still holds that standard as it last built); a first one leaves it out.
        ``early``: the same comparison started beside the standards (no standard failed)."""
        target = out / "comparison.xlsx"
        failing = "、".join(sorted(failed))
        if failed and COMPARISON in record.entries and target.is_file():
            self.warn(f"比較結果未更新（{failing} 建置失敗）")
            return target
        if failed:
            self.warn(f"比較結果不含建置失敗的職能基準：{failing}")
        kinds = tuple(f for f in ("xlsx", "docx", "pdf") if f in formats)
        if not codes or not kinds:
            return None
        key = self._comparison_key(shared, codes)
        if not force and record.fresh(COMPARISON, key):
            return target
        staged = Staged()
        if early is not None:
            outcome = early.result()
            if "error" in outcome:
                raise KmcError(outcome["error"])
            for warning in outcome["warnings"]:
                self.warn(warning)
            files = [staged.add(Path(path), data) for path, data in outcome["files"]]
        else:
            files = self.comparison(codes, target, kinds, staged, whole=False)
        staged.commit()
        self._replace(record, COMPARISON, key, files)
        return files[0]

    def _lint_files(self, record: Manifest, out: Path, codes: list[str]) -> int:
        """lint.txt and lint.json from each standard's findings as its build recorded them
        (rewritten only when they changed)."""
        from .analyses import lint as lint_mod

        found = [lint_mod.Finding(**f) for c in codes if c in record.entries
                 for f in record.entries[c].extra.get("findings", [])]
        for name, fmt in (("lint.txt", "table"), ("lint.json", "json")):
            data = lint_mod.render(found, fmt).encode()
            path = out / name
            if not path.is_file() or path.read_bytes() != data:
                write_bytes(path, data)
        return len(found)

    def _check_courses(self, codes: list[str]) -> None:
        """A course spec the build would not use (its file names no standard of the folder):
        say so, it is never silently ignored."""
        for path in sorted((self.data / "courses").glob("*.y*ml")):
            if path.stem not in codes:
                self.warn(f"{path}：資料夾中沒有職能基準 {path.stem}，此課程設定未使用"
                          f"（檔名應為所規劃職能基準的代碼）")


@dataclass
class BuildResult:
    out: Path
    standards: int
    findings: int = 0
    documents: int = 0
    built: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (code, why)
    removed: list[str] = field(default_factory=list)  # codes whose reports were removed
    comparison: Path | None = None
    failed_checks: list = field(default_factory=list)  # (code, check name, detail)
    seconds: float = 0.0


# -- one standard's reports, in a worker process or in this one ---------------------------

COMPARISON = "comparison"  # the manifest's name for the comparison target
_project: Project | None = None  # a worker process's project, set up once


def _setup(settings: tuple) -> None:
    """A worker: its own project (fonts registered once per process); Ctrl-C is the main
    process's to handle, which lets running standards finish and records them."""
    global _project
    lifecycle.begin()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # (already, from the parent: for clarity)
    _project = Project(*settings, warn=lambda message: None)


def _make(code: str, out: str, formats: tuple[str, ...], project: Project | None = None) -> dict:
    """One standard's reports, written together; errors come back as one line, and so do
    warnings (a worker process cannot print them in order)."""
    project = project or _project
    warnings: list[str] = []
    warn, project.warn = project.warn, warnings.append
    try:
        files, checks, findings = project.standard_reports(code, Path(out), formats)
    except KmcError as exc:
        return {"code": code, "error": str(exc)}
    except Exception as exc:  # a bug must not stop the other standards; say what it was
        return {"code": code, "error": f"{project.library.path(code)}: 內部錯誤 "
                                       f"{type(exc).__name__}: {exc}"}
    finally:
        project.warn = warn
    return {"code": code, "files": [str(f) for f in files], "checks": checks,
            "findings": findings, "warnings": warnings}


def _compare(settings: tuple, codes: list[str], target: str, kinds: tuple[str, ...]) -> dict:
    """The comparison made in a process of its own: its files as (path, bytes), written by
    the build when it takes them; errors and warnings come back as lines."""
    warnings: list[str] = []
    project = Project(*settings, warn=warnings.append)
    staged = Staged()
    try:
        project.comparison(codes, Path(target), kinds, staged, whole=False)
    except KmcError as exc:
        return {"error": str(exc)}
    except Exception as exc:  # like a standard's: one line, the rest of the build stays
        return {"error": f"比較結果：內部錯誤 {type(exc).__name__}: {exc}"}
    return {"files": [(str(p), data) for p, data in staged.files.items()],
            "warnings": warnings}


def _background_main(conn, fn, args) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build's to handle, as in the pool
    try:
        conn.send(fn(*args))
    finally:
        conn.close()


class _Background:
    """One job in a process of its own, beside the pool, that the build can stop instead of
    waiting for it (Ctrl-C, or a result it no longer needs)."""

    def __init__(self, fn: Callable[..., dict], args: tuple):
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe(duplex=False)
        self.process = context.Process(target=_background_main, args=(child, fn, args),
                                       daemon=True)
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            self.process.start()
        finally:
            if main:
                signal.signal(signal.SIGINT, previous)
        child.close()

    def result(self) -> dict:
        try:
            outcome = self.conn.recv()
        except EOFError:  # it died without a word (killed, out of memory)
            outcome = {"error": f"比較結果：內部錯誤 背景程序結束（{self.process.exitcode}）"}
        self.process.join()
        return outcome

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.conn.close()


def _run(project: Project, out: Path, codes: list[str], jobs: int | None,
         formats: tuple[str, ...]) -> Iterator[dict]:
    """Each standard's outcome as it finishes: in this process for one job (or one
    standard), else in a pool of worker processes.  On Ctrl-C the standards not started are
    dropped and the running ones finish (their files are written whole)."""
    workers = min(jobs or os.cpu_count() or 1, len(codes))
    if workers <= 1:
        for code in codes:
            yield _make(code, str(out), formats, project)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_setup, initargs=(project.settings(),))
    try:
        # the workers start ignoring Ctrl-C (an ignored signal stays ignored across exec),
        # so one pressed while they import prints no traceback of theirs
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            futures = [pool.submit(_make, code, str(out), formats) for code in codes]
        finally:
            if main:
                signal.signal(signal.SIGINT, previous)
        for future in as_completed(futures):
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
