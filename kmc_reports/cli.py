"""The `kmc-reports` command line.  Bad input ends in one line on stderr and exit code 2."""

from __future__ import annotations

import json
import os
import sys
from contextlib import nullcontext
from functools import wraps
from pathlib import Path

import click
from pydantic import ValidationError

from . import __version__
from .analyses import diff as diff_mod
from .analyses import lint as lint_mod
from .config import load_config
from .errors import KmcError, os_message, validation_message
from .analyses.syllabus import load_levels
from .analyses.syllabus import plan as plan_course
from .course import CourseSpec, load_course, validate_against
from .importers import import_file
from .model import Standard
from .store import Library, dump_standard, load_standard
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
            _fail(f"{exc.filename}: {os_message(exc)}" if exc.filename else os_message(exc))
    return wrapper


# Options several commands share, defined once.
_out_folder = click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                           default=Path("output"), help="輸出資料夾（預設：output）。")
_org = click.option("--org", default=None, help="機構名稱。")


class _Ctx:
    def __init__(self, data: Path, templates: Path | None, config: Path | None,
                 font: str | None):
        self.data = data
        self.library = Library(data / "standards")
        self.templates, self.config_path, self.font = templates, config, font

    def options(self, formats: tuple[str, ...], **kwargs) -> Options:
        return Options(formats=formats, templates=self.templates,
                       config=load_config(self.config_path), font=self.font, **kwargs)


class _ChineseHelp:
    """The -h/--help option described in Chinese, like every other option."""

    def get_help_option(self, ctx: click.Context):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "顯示此說明後結束。"
        return option


class _Command(_ChineseHelp, click.Command):
    pass


class _Group(_ChineseHelp, click.Group):
    command_class = _Command
    group_class = type  # subgroups are _Groups too


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kmc-reports", help="顯示版本後結束。")
@click.option("--data", "data", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="資料夾（預設：./data 或 $KMC_DATA）。")
@click.option("--templates", type=click.Path(path_type=Path), default=None,
              help="自訂範本的資料夾（取代同名的內建範本）。")
@click.option("--config", "config", type=click.Path(path_type=Path), default=None,
              help="機構設定檔（預設：目前資料夾的 kmc-reports.yaml，若有）。")
@click.option("--font", default=None,
              help="PDF 使用的 TrueType 字型檔（或已安裝的字型名稱）。")
@click.pass_context
def main(ctx: click.Context, data: Path | None, templates: Path | None, config: Path | None,
         font: str | None) -> None:
    """由 iCAP 職能基準產生人資、課程規劃與稽核用的文件。"""
    ctx.obj = _Ctx(data or _default_data(), templates, config, font)


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="模型檔的輸出資料夾（預設：<data>/standards）。")
@click.option("--report", type=click.Path(path_type=Path), default=None,
              help="另將匯入結果寫成 .xlsx 活頁簿或 .json 檔。")
@click.pass_obj
@_errors_to_exit
def import_cmd(obj: _Ctx, files: tuple[Path, ...], out: Path | None,
               report: Path | None) -> None:
    """匯入 iCAP 職能基準（文字檔、OCS JSON、PDF、DOCX 或 ODT），各存成 <code>.yaml 模型檔。

    \b
    FILES 可以是檔案或資料夾（資料夾內所有 .txt .json .pdf .docx .odt 檔，依檔名排序）。
    每個檔案各自匯入：有問題的檔案會被拒絕並說明原因，其餘照常匯入。
    結束時列出匯入結果；有任何檔案被拒絕時結束代碼為 1。"""
    from . import batch
    from .atomic import write_bytes

    batch.check_report(report)
    paths = batch.expand(files)
    # Imports go where the user stands: ./data/standards, unless a data folder was named
    # (--data, $KMC_DATA) — never into the bundled data of the install.
    bundled = Path(__file__).resolve().parent.parent / "data"
    if out is None:
        out = Path("data") / "standards" if obj.data == bundled and \
            Path.cwd().resolve() != bundled.parent else obj.library.folder
    # While a progress bar is drawn on the terminal, messages wait until it is done.
    bar_shown = sys.stderr.isatty()
    held: list[str] = []
    say = held.append if bar_shown else (lambda line: click.echo(line, err=True))
    rows = []
    results = batch.import_all(paths, out, lambda msg: say(f"kmc-reports: warning: {msg}"))
    progress = click.progressbar(results, length=len(paths), label="匯入職能基準",
                                 file=sys.stderr, item_show_func=lambda r: r.file if r else "") \
        if bar_shown else nullcontext(results)
    with progress as done:
        for row in done:
            rows.append(row)
            if row.refused:
                say(f"kmc-reports: error: {row.error}")
    for line in held:
        click.echo(line, err=True)
    click.echo(batch.table(rows), nl=False)
    if any(not row.refused for row in rows):
        click.echo(f"模型檔在 {out}/")
    if report is not None:
        write_bytes(report, batch.report(rows, report))
        click.echo(f"匯入結果另存於 {report}")
    if len(rows) == 1 and rows[0].refused and not files[0].is_dir():
        sys.exit(2)  # one file, and it is bad input
    if any(row.refused for row in rows):
        sys.exit(1)  # some of many files refused, the rest imported


@main.command()
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml",
              help="輸出格式（預設：yaml）。")
@click.pass_obj
@_errors_to_exit
def show(obj: _Ctx, code: str, fmt: str) -> None:
    """顯示一項職能基準的模型（JSON 格式依 `kmc-reports schema`）。"""
    std = obj.library.get(code)
    if fmt == "json":
        click.echo(json.dumps(std.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        click.echo(dump_standard(std), nl=False)


@main.command()
def schema() -> None:
    """顯示職能基準模型的 JSON Schema。"""
    click.echo(schema_json(), nl=False)


@main.command()
@click.argument("codes", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              help="輸出格式（預設：table）。")
@click.pass_obj
@_errors_to_exit
def lint(obj: _Ctx, codes: tuple[str, ...], fmt: str) -> None:
    """檢查職能基準的資料問題（預設：資料夾內所有職能基準）。"""
    findings = lint_mod.lint_all(obj.library.load(codes))
    click.echo(lint_mod.render(findings, fmt), nl=False)


@main.command()
@click.argument("codes", nargs=-1, required=True)
@click.option("--layout", type=click.Choice(["icap", "job"]), default="icap",
              help="icap：職能基準原表格式；job：職務說明書（預設：icap）。")
@click.option("--format", "fmt", default="docx,pdf",
              help="以逗號分隔：docx、pdf、html（預設：docx,pdf）。")
@_out_folder
@click.option("--tasks", default=None, help="job：只保留這些主要職責／工作任務，例如 T1,T2.3。")
@click.option("--title", default=None, help="job：職務名稱（預設：職能基準名稱）。")
@_org
@click.option("--logo", default=None, help="機構標誌（PNG 或 JPEG）。")
@click.pass_obj
@_errors_to_exit
def profile(obj: _Ctx, codes, layout, fmt, out, tasks, title, org, logo) -> None:
    """職能基準表（iCAP 格式）或職務說明書：Word、PDF 與 HTML。"""
    if layout == "icap" and (tasks or title):
        raise KmcError("--tasks 與 --title 只適用於 --layout job")
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
@click.option("--format", "fmt", default="docx,pdf,xlsx",
              help="以逗號分隔：docx、pdf、html、xlsx（預設：docx,pdf,xlsx）。")
@_out_folder
@_org
@click.pass_obj
@_errors_to_exit
def checklist(obj: _Ctx, codes, fmt, out, org) -> None:
    """職能自我檢核表：DOCX、PDF 與可填寫的 XLSX。"""
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
@click.option("--format", "fmt", default="docx,pdf,xlsx",
              help="以逗號分隔：docx、pdf、html、xlsx（預設：docx,pdf,xlsx）。")
@_out_folder
@click.option("--force", is_flag=True, help="即使是兩項不同的職能基準也照樣比較。")
@_org
@click.pass_obj
@_errors_to_exit
def diff_cmd(obj: _Ctx, old, new, fmt, out, force, org) -> None:
    """職能基準版本比較：DOCX、PDF 與變更清單 XLSX。

    OLD 與 NEW 可以是資料夾中的職能基準代碼、模型檔（.yaml），或要讀取的
    iCAP 文字檔／OCS JSON 檔。"""
    formats = parse_formats(fmt, DOCUMENT_FORMATS + ("xlsx",))
    d = diff_mod.diff(_standard(obj, old), _standard(obj, new), force=force)
    for warning in d.warnings:
        _warn(warning)
    output = Output(obj.options(formats, org=org))
    for path in output.diff(d, out / f"{d.old.code}-{d.new.code}-diff"):
        click.echo(path)
    click.echo(f"{len(d.changes)} 項變更")


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
            raise KmcError(f"--hours {hours:g}：{validation_message(exc.errors()[0])}") from None
    missing = [c for c in spec.standards if c not in obj.library.codes()]
    if missing:
        raise KmcError(f"standards：{missing[0]} 不在資料夾 {obj.library.folder}",
                       str(path) if path else None)
    standards = obj.library.load(spec.standards)
    validate_against(spec, standards, path)
    own = obj.data / "levels.yaml"  # a data folder may bring its own wording; else the bundled
    return plan_course(standards, spec, load_levels(own if own.is_file() else None), exclude)


@main.command()
@click.argument("course", required=False)
@click.option("--hours", type=float, default=None, help="課程總時數（取代課程設定檔中的時數）。")
@click.option("--from", "source", default=None, help="職能提升：學員已具備的職能基準。")
@click.option("--to", "target", default=None, help="職能提升：學員要轉往的職能基準。")
@click.option("--format", "fmt", default="docx,pdf,xlsx",
              help="以逗號分隔：docx、pdf、html（課程規劃報告）、xlsx（涵蓋矩陣）"
                   "（預設：docx,pdf,xlsx）。")
@_out_folder
@_org
@click.pass_obj
@_errors_to_exit
def syllabus(obj: _Ctx, course, hours, source, target, fmt, out, org) -> None:
    """依 iCAP 課程規劃格式草擬訓練課程，並附涵蓋矩陣 coverage.xlsx。

    COURSE 為職能基準代碼（使用 data/courses/ 中的課程設定，沒有則涵蓋其全部工作任務）
    或課程設定檔。使用 --from A --to B 時，只規劃 B 需要而 A 尚未具備的部分。"""
    formats = parse_formats(fmt, DOCUMENT_FORMATS + ("xlsx",))
    base = None
    if source or target:
        if not (source and target) or course:
            raise KmcError("職能提升課程需同時指定 --from 與 --to，且不可再指定 COURSE")
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
        raise KmcError("請指定職能基準代碼或課程設定檔（或 --from 與 --to）")
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
@click.option("--format", "fmt", default="xlsx,docx,pdf",
              help="以逗號分隔：xlsx（比較活頁簿）、docx、pdf、html（摘要）；"
                   "或單獨使用 json（直接輸出概念清單）（預設：xlsx,docx,pdf）。")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("output/comparison.xlsx"),
              help="比較活頁簿；摘要另存於同一資料夾，檔名為 <name>-summary.*"
                   "（預設：output/comparison.xlsx）")
@click.pass_obj
@_errors_to_exit
def compare(obj: _Ctx, codes, fmt: str, out: Path) -> None:
    """逐項比較職能基準（預設：資料夾內所有職能基準）。"""
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
    """人工對照判定（data/crosswalk.yaml）。"""


@crosswalk.command("apply")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.pass_obj
@_errors_to_exit
def crosswalk_apply(obj: _Ctx, workbook: Path) -> None:
    """將比較活頁簿「待確認」工作表的「判定」欄寫入 data/crosswalk.yaml。"""
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
@_out_folder
@click.pass_obj
@_errors_to_exit
def build(obj: _Ctx, out: Path) -> None:
    """檢查資料夾內的職能基準，並將所有報告寫入 OUT。

    \b
    OUT/<code>/ 存放每項職能基準的職能基準表、職務說明書、自我檢核表、課程規劃及其涵蓋矩陣；
    OUT/comparison.xlsx 與 OUT/comparison-summary.* 比較全部職能基準；
    OUT/lint.txt 與 OUT/lint.json 為資料檢查結果。"""
    from .atomic import write_text

    standards = obj.library.load()
    findings = lint_mod.lint_all(standards)
    opts = obj.options(("docx", "pdf", "html"))
    output = Output(opts)
    forms = Output(obj.options(("docx", "pdf", "xlsx")))
    written = 0
    with click.progressbar(standards, label="產生報表", file=sys.stderr,
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
                    _warn(f"{std.code} 課程規劃：{check.name}：{check.detail}")
    comparison = _comparison(obj, (), out / "comparison.xlsx", ("xlsx", "docx", "pdf"))
    write_text(out / "lint.txt", lint_mod.render(findings, "table"))
    write_text(out / "lint.json", lint_mod.render(findings, "json"))
    click.echo(f"{len(standards)} 項職能基準資料有效；{written} 份文件在 {out}/<code>/；"
               f"比較結果在 {comparison[0]}；資料檢查結果 {len(findings)} 項，見 "
               f"{out / 'lint.txt'}")


if __name__ == "__main__":  # pragma: no cover
    main()
