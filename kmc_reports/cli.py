"""The `kmc-reports` command line.  Bad input ends in one line on stderr and exit code 2."""

from __future__ import annotations

import json
import os
import sys
from functools import wraps
from pathlib import Path

import click
from pydantic import ValidationError

from . import __version__
from .analyses import diff as diff_mod
from .analyses import lint as lint_mod
from .config import load_config
from .corrections import apply_corrections
from .errors import KmcError
from .analyses.syllabus import load_levels
from .analyses.syllabus import plan as plan_course
from .course import CourseSpec, load_course, validate_against
from .importers import import_file
from .model import Standard
from .store import Library, dump_standard, load_standard, save_standard
from .reports import (DOCUMENT_FORMATS, Options, Output, comparison_document, job_document,
                      parse_formats, profile_document)
from .schema import schema_json


def _default_data() -> Path:
    """$KMC_DATA, else ./data when run in a checkout, else the checkout's data folder of an
    editable install (the README installs with -e; a wheel carries no data)."""
    env = os.environ.get("KMC_DATA")
    if env:
        return Path(env)
    here = Path.cwd() / "data"
    if (here / "standards").is_dir():
        return here
    return Path(__file__).resolve().parent.parent / "data"


def _warn(msg: str) -> None:
    click.echo(f"kmc-reports: warning: {msg}", err=True)


def _fail(msg: str) -> None:
    click.echo(f"kmc-reports: error: {msg}", err=True)
    sys.exit(2)


def _errors_to_exit(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KmcError as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
    return wrapper


class _Ctx:
    def __init__(self, data: Path, templates: Path | None, config: Path | None,
                 font: str | None):
        self.data = data
        self.library = Library(data / "standards")
        self.templates, self.config_path, self.font = templates, config, font

    def options(self, formats: tuple[str, ...], **kwargs) -> Options:
        return Options(formats=formats, templates=self.templates,
                       config=load_config(self.config_path), font=self.font, **kwargs)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kmc-reports")
@click.option("--data", "data", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Data folder (default: ./data, or $KMC_DATA).")
@click.option("--templates", type=click.Path(path_type=Path), default=None,
              help="Folder with your own copies of templates (they override the built-in).")
@click.option("--config", "config", type=click.Path(path_type=Path), default=None,
              help="Organisation settings (default: ./kmc-reports.yaml if present).")
@click.option("--font", default=None,
              help="TrueType font file (or installed font name) for PDFs.")
@click.pass_context
def main(ctx: click.Context, data: Path | None, templates: Path | None, config: Path | None,
         font: str | None) -> None:
    """Documents from iCAP occupational competency standards (職能基準)."""
    ctx.obj = _Ctx(data or _default_data(), templates, config, font)


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the model files (default: <data>/standards).")
@click.pass_obj
@_errors_to_exit
def import_cmd(obj: _Ctx, files: tuple[Path, ...], out: Path | None) -> None:
    """Import iCAP standards (text copies or OCS JSON) into <code>.yaml model files."""
    out = out or obj.library.folder
    # Read and check everything first, so a bad file leaves no output at all.
    results = []
    seen: dict[str, Path] = {}
    for f in files:
        std = import_file(f, _warn)
        if std.code in seen:
            raise KmcError(f"{std.code} is also in {seen[std.code]}: import one of them", str(f))
        seen[std.code] = f
        target = out / f"{std.code}.yaml"
        if target.exists():
            previous = load_standard(target)
            if previous.corrections:
                std = apply_corrections(std, previous.corrections, _warn)
        results.append((std, target))
    for std, target in results:
        save_standard(std, target)
        click.echo(f"{target}  {std.code} {std.name}: {sum(1 for _ in std.tasks())} tasks")


@main.command()
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml",
              show_default=True)
@click.pass_obj
@_errors_to_exit
def show(obj: _Ctx, code: str, fmt: str) -> None:
    """Print one standard's model (JSON follows `kmc-reports schema`)."""
    std = obj.library.get(code)
    if fmt == "json":
        click.echo(json.dumps(std.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        click.echo(dump_standard(std), nl=False)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the standard model."""
    click.echo(schema_json(), nl=False)


@main.command()
@click.argument("codes", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_obj
@_errors_to_exit
def lint(obj: _Ctx, codes: tuple[str, ...], fmt: str) -> None:
    """Check standards for data problems (default: all bundled standards)."""
    findings = lint_mod.lint_all(obj.library.load(codes))
    click.echo(lint_mod.render(findings, fmt), nl=False)


@main.command()
@click.argument("codes", nargs=-1, required=True)
@click.option("--layout", type=click.Choice(["icap", "job"]), default="icap", show_default=True,
              help="icap: the standard's own table; job: a job description (職務說明書).")
@click.option("--format", "fmt", default="docx,pdf", show_default=True,
              help="Comma-separated: docx, pdf, html.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True)
@click.option("--tasks", default=None, help="job: keep only these duties/tasks, e.g. T1,T2.3.")
@click.option("--title", default=None, help="job: the job title (default: the standard's name).")
@click.option("--org", default=None, help="Organisation name.")
@click.option("--logo", default=None, help="Organisation logo (PNG or JPEG).")
@click.pass_obj
@_errors_to_exit
def profile(obj: _Ctx, codes, layout, fmt, out, tasks, title, org, logo) -> None:
    """Competency profiles (iCAP layout) or job descriptions, in Word, PDF and HTML."""
    if layout == "icap" and (tasks or title):
        raise KmcError("--tasks and --title are for --layout job")
    opts = obj.options(parse_formats(fmt, DOCUMENT_FORMATS), tasks=tasks, title=title,
                       org=org, logo=logo)
    output = Output(opts)
    standards = obj.library.load(codes)
    make, suffix = (profile_document, "profile") if layout == "icap" else (job_document, "job")
    for std in standards:
        for path in output.documents(make(std, opts), out / f"{std.code}-{suffix}"):
            click.echo(path)


@main.command()
@click.argument("codes", nargs=-1, required=True)
@click.option("--format", "fmt", default="docx,pdf,xlsx", show_default=True,
              help="Comma-separated: docx, pdf, html, xlsx.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True)
@click.option("--org", default=None, help="Organisation name.")
@click.pass_obj
@_errors_to_exit
def checklist(obj: _Ctx, codes, fmt, out, org) -> None:
    """Self-assessment checklists (職能自我檢核表): DOCX, PDF and a fillable XLSX."""
    formats = parse_formats(fmt, DOCUMENT_FORMATS + ("xlsx",))
    opts = obj.options(formats, org=org)
    output = Output(opts)
    for std in obj.library.load(codes):
        for path in output.checklist(std, out / f"{std.code}-checklist"):
            click.echo(path)


def _standard(obj: _Ctx, arg: str) -> Standard:
    """A code of the data folder, a model file (.yaml), or an iCAP text / OCS JSON to read."""
    path = Path(arg)
    if not path.is_file():
        return obj.library.get(arg)
    if path.suffix in (".yaml", ".yml"):
        return load_standard(path)
    return import_file(path, _warn)


@main.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", default="docx,pdf,xlsx", show_default=True,
              help="Comma-separated: docx, pdf, html, xlsx.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True)
@click.option("--force", is_flag=True, help="Compare even two different standards.")
@click.option("--org", default=None, help="Organisation name.")
@click.pass_obj
@_errors_to_exit
def diff_cmd(obj: _Ctx, old, new, fmt, out, force, org) -> None:
    """Compare two versions of a standard (職能基準版本比較): DOCX, PDF and an XLSX of changes.

    OLD and NEW are codes in the data folder, model files (.yaml), or iCAP text / OCS JSON
    files to read."""
    formats = parse_formats(fmt, DOCUMENT_FORMATS + ("xlsx",))
    d = diff_mod.diff(_standard(obj, old), _standard(obj, new), force=force)
    for warning in d.warnings:
        _warn(warning)
    output = Output(obj.options(formats, org=org))
    for path in output.diff(d, out / f"{d.old.code}-{d.new.code}-diff"):
        click.echo(path)
    click.echo(f"{len(d.changes)} changes")


def _course(obj: _Ctx, code: str) -> tuple[CourseSpec, Path | None]:
    """The bundled course spec of a standard, else a plain one covering all its tasks."""
    path = obj.data / "courses" / f"{code}.yaml"
    if path.is_file():
        return load_course(path), path
    std = obj.library.get(code)
    return CourseSpec(name=f"{std.name}實務", standards=[code],
                      total_hours=max(6, 3 * sum(1 for _ in std.tasks())),
                      audience=f"擔任或有意擔任{std.name}者"), None


def _syllabus(obj: _Ctx, spec: CourseSpec, path: Path | None, hours: float | None,
              exclude: dict[str, str] | None = None):
    """Plan a course: the spec (with --hours), checked against the standards it names."""
    if hours is not None:
        try:
            spec = CourseSpec.model_validate({**spec.model_dump(), "total_hours": hours})
        except ValidationError as exc:
            raise KmcError(f"--hours {hours:g}: {exc.errors()[0]['msg']}") from None
    missing = [c for c in spec.standards if c not in obj.library.codes()]
    if missing:
        raise KmcError(f"standards: {missing[0]} 不在資料夾 {obj.library.folder}",
                       str(path) if path else None)
    standards = obj.library.load(spec.standards)
    validate_against(spec, standards, path)
    return plan_course(standards, spec, load_levels(obj.data / "levels.yaml"), exclude)


@main.command()
@click.argument("course", required=False)
@click.option("--hours", type=float, default=None, help="Total hours (overrides the spec).")
@click.option("--from", "source", default=None, help="Upskilling: the standard people have.")
@click.option("--to", "target", default=None, help="Upskilling: the standard they move to.")
@click.option("--format", "fmt", default="docx,pdf,xlsx", show_default=True,
              help="Comma-separated: docx, pdf, html (the report), xlsx (coverage matrix).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True)
@click.option("--org", default=None, help="Organisation name.")
@click.pass_obj
@_errors_to_exit
def syllabus(obj: _Ctx, course, hours, source, target, fmt, out, org) -> None:
    """Training syllabus drafted as the iCAP course report (課程規劃), with coverage.xlsx.

    COURSE is a standard code (its spec in data/courses/, or all its tasks) or a course spec
    file.  With --from A --to B, only what B needs that A does not already give."""
    formats = parse_formats(fmt, DOCUMENT_FORMATS + ("xlsx",))
    base = None
    if source or target:
        if not (source and target) or course:
            raise KmcError("upskilling needs both --from and --to, and no COURSE")
        from .analyses import crosswalk
        from .analyses.upskill import upskill_exclusions
        pair = obj.library.load([source, target])
        # the crosswalk of the whole data folder: links through a third standard count too
        cw = crosswalk.build_crosswalk(obj.library.load(), _decisions(obj))
        spec, path = _course(obj, target)
        spec = spec.model_copy(update={"name": f"{spec.name}（進階）"})
        plan = _syllabus(obj, spec, path, hours, upskill_exclusions(*pair, cw))
        name, base = f"{target}-from-{source}", pair[0]
    elif course and Path(course).suffix in (".yaml", ".yml"):
        path = Path(course)
        plan = _syllabus(obj, load_course(path), path, hours)
        name = path.stem
    elif course:
        spec, path = _course(obj, course)
        plan = _syllabus(obj, spec, path, hours)
        name = course
    else:
        raise KmcError("name a standard code or a course spec file (or --from and --to)")
    output = Output(obj.options(formats, org=org))
    written, checks = output.syllabus(plan, out, name, base)
    for path in written:
        click.echo(path)
    passed = sum(c.ok for c in checks)
    click.echo(f"一致性檢核：{passed}/{len(checks)} 項符合")
    for check in checks:
        click.echo(f"  {'✓' if check.ok else '✗'} {check.name}：{check.detail}")


def _decisions(obj: _Ctx):
    """data/crosswalk.yaml, with a warning for each decision that no longer fits the data
    folder (checked against all its standards, whichever ones are being compared)."""
    from .analyses import crosswalk

    decisions = crosswalk.load_decisions(obj.data / "crosswalk.yaml")
    for problem in decisions.check(obj.library.load()):
        _warn(str(problem))
    return decisions


def _comparison(obj: _Ctx, codes, out: Path, formats: tuple[str, ...]) -> list[Path]:
    """The workbook at OUT and, for docx/pdf/html, the summary beside it."""
    from .analyses import crosswalk
    from .writers.comparison_xlsx import write_comparison_xlsx

    standards = obj.library.load(codes)
    cw = crosswalk.build_crosswalk(standards, _decisions(obj))
    findings = lint_mod.lint_all(standards)
    if out.suffix.lower() != ".xlsx":
        out = out.with_name(out.name + ".xlsx")
    opts = obj.options(formats)
    return Output(opts).documents(
        comparison_document(standards, cw, findings, opts), out.with_name(out.stem + "-summary"),
        {"xlsx": lambda: write_comparison_xlsx(standards, cw, findings)}, {"xlsx": out})


@main.command()
@click.argument("codes", nargs=-1)
@click.option("--format", "fmt", default="xlsx,docx,pdf", show_default=True,
              help="Comma-separated: xlsx (the workbook), docx, pdf, html (the summary), or "
                   "json alone (the concepts, printed).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("output/comparison.xlsx"), show_default=True,
              help="The workbook; the summary is written beside it as <name>-summary.*")
@click.pass_obj
@_errors_to_exit
def compare(obj: _Ctx, codes, fmt: str, out: Path) -> None:
    """Compare standards item by item (default: all bundled standards)."""
    if fmt.strip() == "json":
        from .analyses import crosswalk
        standards = obj.library.load(codes)
        cw = crosswalk.build_crosswalk(standards, _decisions(obj))
        click.echo(crosswalk.to_json(cw), nl=False)
        return
    formats = parse_formats(fmt, ("xlsx",) + DOCUMENT_FORMATS)
    for path in _comparison(obj, codes, out, formats):
        click.echo(path)


@main.group()
def crosswalk() -> None:
    """Manual crosswalk decisions (data/crosswalk.yaml)."""


@crosswalk.command("apply")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.pass_obj
@_errors_to_exit
def crosswalk_apply(obj: _Ctx, workbook: Path) -> None:
    """Read the 判定 column of a comparison workbook's 待確認 sheet into data/crosswalk.yaml."""
    from .analyses import crosswalk as cw_mod
    from .writers.comparison_xlsx import read_review_decisions

    path = obj.data / "crosswalk.yaml"
    known = {item.ref for std in obj.library.load() for item in cw_mod.items_of(std)}
    new = read_review_decisions(workbook, known)
    merged = cw_mod.load_decisions(path).merged(new)
    cw_mod.save_decisions(merged, path)
    click.echo(f"{len(new.same)} 相同、{len(new.different)} 不同、{len(new.labels)} 概念名稱 → "
               f"{path}")


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True)
@click.pass_obj
@_errors_to_exit
def build(obj: _Ctx, out: Path) -> None:
    """Validate the bundled standards and write every report under OUT.

    OUT/<code>/ holds each standard's profile, job description, checklist, syllabus and
    its coverage matrix;
    OUT/comparison.xlsx and OUT/comparison-summary.* compare them all;
    OUT/lint.txt and OUT/lint.json hold the data findings."""
    from .atomic import write_text

    standards = obj.library.load()
    findings = lint_mod.lint_all(standards)
    opts = obj.options(("docx", "pdf", "html"))
    output = Output(opts)
    forms = Output(obj.options(("docx", "pdf", "xlsx")))
    written = 0
    with click.progressbar(standards, label="kmc-reports build", file=sys.stderr,
                           item_show_func=lambda s: s.code if s else "") as bar:
        for std in bar:
            folder = out / std.code
            written += len(output.documents(profile_document(std, opts),
                                            folder / f"{std.code}-profile"))
            written += len(output.documents(job_document(std, opts),
                                            folder / f"{std.code}-job"))
            written += len(forms.checklist(std, folder / f"{std.code}-checklist"))
            spec, path = _course(obj, std.code)
            files, checks = forms.syllabus(_syllabus(obj, spec, path, None), folder, std.code)
            written += len(files)
            for check in checks:
                if not check.ok:
                    _warn(f"{std.code} syllabus: {check.name}：{check.detail}")
    comparison = _comparison(obj, (), out / "comparison.xlsx", ("xlsx", "docx", "pdf"))
    write_text(out / "lint.txt", lint_mod.render(findings, "table"))
    write_text(out / "lint.json", lint_mod.render(findings, "json"))
    click.echo(f"{len(standards)} standards valid; {written} documents in {out}/<code>/; "
               f"comparison in {comparison[0]}; {len(findings)} lint findings in "
               f"{out / 'lint.txt'}")


if __name__ == "__main__":  # pragma: no cover
    main()
