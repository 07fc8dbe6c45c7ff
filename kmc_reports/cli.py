"""The `kmc-reports` command line.  Bad input ends in one line on stderr and exit code 2.

Each command imports what it uses in its own body: `--help` loads none of it, and no command
loads the libraries only others need (Jinja, reportlab, openpyxl, rapidfuzz, scipy…);
`benchmarks/bench_startup.py` measures it."""

from __future__ import annotations

import json
import os
import sys
from contextlib import nullcontext
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import __version__, interrupt
from .errors import KmcError, os_message
from .staging import Staged
from .usage import Guarded

if TYPE_CHECKING:
    from .build import Project as _Ctx  # what every command gets: the data folder and options
    from .model import Standard


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
    click.echo(f"{interrupt.WARNING}{msg}", err=True)


def _fail(msg: str) -> None:
    stopped = interrupt.received()
    if stopped:  # the error is what Ctrl-C did to a library that swallowed it: say that
        raise stopped
    click.echo(f"{interrupt.ERROR}{msg}", err=True)
    sys.exit(2)


def _errors_to_exit(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KmcError as exc:
            _fail(str(exc))
        except BrokenPipeError:
            raise  # stdout's reader went away: main() ends quietly
        except OSError as exc:
            _fail(f"{exc.filename}: {os_message(exc)}" if exc.filename else os_message(exc))
    return wrapper


# Options several commands share, defined once.
_out_folder = click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                           default=Path("output"), help="輸出資料夾（預設：output）。")
_org = click.option("--org", default=None, help="機構名稱。")


class _ChineseHelp:
    """The -h/--help option described in Chinese, like every other option."""

    def get_help_option(self, ctx: click.Context):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "顯示此說明後結束。"
        return option


class _Command(_ChineseHelp, click.Command):
    pass


class _Group(Guarded, _ChineseHelp, click.Group):
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
    from .build import Project

    ctx.obj = Project(data or _default_data(), templates, config, font, _warn)


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
    results = batch.import_all(paths, out, lambda msg: say(f"{interrupt.WARNING}{msg}"))
    progress = click.progressbar(results, length=len(paths), label="匯入職能基準",
                                 file=sys.stderr, item_show_func=lambda r: r.file if r else "") \
        if bar_shown else nullcontext(results)
    with progress as done:
        for row in done:
            rows.append(row)
            if row.refused:
                say(f"{interrupt.ERROR}{row.error}")
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
    from .store import dump_standard

    std = obj.library.get(code)
    if fmt == "json":
        click.echo(json.dumps(std.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        click.echo(dump_standard(std), nl=False)


@main.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              help="輸出格式（預設：table）。")
@click.pass_obj
@_errors_to_exit
def list_cmd(obj: _Ctx, fmt: str) -> None:
    """列出資料夾內的職能基準：代碼、名稱、級別、最新版本與日期、主要職責與工作任務數、來源檔。"""
    from .batch import aligned

    rows = []
    for std in obj.library.load():
        version = std.latest_version()
        rows.append({"code": std.code, "name": std.name, "level": std.level,
                     "level_label": std.level_label,
                     "version": version.printed_version,
                     "date": version.printed_date,
                     "duties": len(std.duties), "tasks": sum(1 for _ in std.tasks()),
                     "source": std.source, "file": str(obj.library.path(std.code))})
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    heads = ["代碼", "名稱", "級別", "最新版本", "日期", "主要職責數", "工作任務數", "來源檔"]
    keys = ["code", "name", "level_label", "version", "date", "duties", "tasks", "source"]
    click.echo(aligned([heads] + [[r[k] for k in keys] for r in rows]), nl=False)
    click.echo(f"\n共 {len(rows)} 項職能基準（{obj.library.folder}）")


@main.command()
def schema() -> None:
    """顯示職能基準模型的 JSON Schema。"""
    from .schema import schema_json

    click.echo(schema_json(), nl=False)


@main.command()
@click.argument("codes", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              help="輸出格式（預設：table）。")
@click.pass_obj
@_errors_to_exit
def lint(obj: _Ctx, codes: tuple[str, ...], fmt: str) -> None:
    """檢查職能基準的資料問題（預設：資料夾內所有職能基準）。"""
    from .analyses.lint import lint_all, render

    click.echo(render(lint_all(obj.library.load(codes)), fmt), nl=False)


@main.command()
@click.argument("codes", nargs=-1, required=True)
@click.option("--layout", type=click.Choice(["icap", "job"]), default="icap",
              help="icap：職能基準原表格式；job：職務說明書（預設：icap）。")
@click.option("--format", "fmt", default="docx,pdf",
              help="以逗號分隔：docx、pdf、html（預設：docx,pdf）。")
@_out_folder
@click.option("--tasks", default=None, help="job：只保留這些主要職責／工作任務，例如 T1,T2.3。")
@click.option("--title", default=None, help="job：職務名稱（預設：職能基準名稱）。")
@click.option("--department", default=None, help="job：部門（預設：設定檔的 department）。")
@click.option("--supervisor", default=None, help="job：直屬主管（設定檔：supervisor）。")
@click.option("--grade", default=None, help="job：職等（設定檔：grade）。")
@click.option("--location", default=None, help="job：工作地點（設定檔：location）。")
@click.option("--effective-date", default=None, help="job：生效日期（設定檔：effective_date）。")
@click.option("--approved-by", default=None, help="job：核定人（設定檔：approved_by）。")
@_org
@click.option("--logo", default=None, help="機構標誌（PNG 或 JPEG）。")
@click.pass_obj
@_errors_to_exit
def profile(obj: _Ctx, codes, layout, fmt, out, tasks, title, department, supervisor, grade,
            location, effective_date, approved_by, org, logo) -> None:
    """職能基準表（iCAP 格式）或職務說明書：Word、PDF 與 HTML。"""
    from .reports import (DOCUMENT_FORMATS, Output, job_document, parse_formats, profile_document,
                          text_size)

    hr = {"department": department, "supervisor": supervisor, "grade": grade,
          "location": location, "effective_date": effective_date, "approved_by": approved_by}
    if layout == "icap" and (tasks or title or any(v is not None for v in hr.values())):
        raise KmcError("--tasks、--title 與職務欄位（--department 等）只適用於 --layout job")
    opts = obj.options(parse_formats(fmt, DOCUMENT_FORMATS), tasks=tasks, title=title,
                       org=org, logo=logo, hr=hr)
    output = Output(opts, Staged())
    standards = obj.library.load(codes)
    output.check_printable(standards, obj.library)
    make, suffix = (profile_document, "profile") if layout == "icap" else (job_document, "job")
    output.each(standards, lambda own, std: own.documents(make(std, opts),
                                                          out / f"{std.code}-{suffix}"),
                text_size)
    for path in output.staged.commit():
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
    from .reports import DOCUMENT_FORMATS, Output, parse_formats, text_size

    formats = parse_formats(fmt, DOCUMENT_FORMATS + ("xlsx",))
    opts = obj.options(formats, org=org)
    output = Output(opts, Staged())
    standards = obj.library.load(codes)
    output.check_printable(standards, obj.library)
    output.each(standards, lambda own, std: own.checklist(std, out / f"{std.code}-checklist"),
                text_size)
    for path in output.staged.commit():
        click.echo(path)


def _standard(obj: _Ctx, arg: str) -> Standard:
    """A code of the data folder, a model file (.yaml), or an iCAP text / OCS JSON to read."""
    from .importers import import_file
    from .store import load_standard

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
    from .analyses.diff import diff
    from .reports import DOCUMENT_FORMATS, Output, parse_formats

    formats = parse_formats(fmt, DOCUMENT_FORMATS + ("xlsx",))
    d = diff(_standard(obj, old), _standard(obj, new), force=force)
    for warning in d.warnings:
        _warn(warning)
    output = Output(obj.options(formats, org=org), Staged())
    output.diff(d, out / f"{d.old.code}-{d.new.code}-diff")
    for path in output.staged.commit():
        click.echo(path)
    click.echo(f"{len(d.changes)} 項變更")


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
    from .course import load_course
    from .reports import DOCUMENT_FORMATS, Output, parse_formats

    formats = parse_formats(fmt, DOCUMENT_FORMATS + ("xlsx",))
    base = None
    if source or target:
        if not (source and target) or course:
            raise KmcError("職能提升課程需同時指定 --from 與 --to，且不可再指定 COURSE")
        from .analyses import crosswalk
        from .analyses.upskill import upskill_exclusions
        pair = obj.library.load([source, target])
        # the crosswalk of the whole data folder: links through a third standard count too
        cw = crosswalk.build_crosswalk(obj.library.load(), obj.decisions())
        spec, path = obj.course(target)
        spec = spec.model_copy(update={"name": f"{spec.name}（進階）"})
        plan = obj.syllabus(spec, path, hours, upskill_exclusions(*pair, cw))
        name, base = f"{target}-from-{source}", pair[0]
    elif course and Path(course).suffix in (".yaml", ".yml"):
        path = Path(course)
        plan = obj.syllabus(load_course(path), path, hours)
        name = path.stem
    elif course:
        spec, path = obj.course(course)
        plan = obj.syllabus(spec, path, hours)
        name = course
    else:
        raise KmcError("請指定職能基準代碼或課程設定檔（或 --from 與 --to）")
    output = Output(obj.options(formats, org=org), Staged())
    _, checks = output.syllabus(plan, out, name, base)
    for path in output.staged.commit():
        click.echo(path)
    passed = sum(c.ok for c in checks)
    click.echo(f"一致性檢核：{passed}/{len(checks)} 項符合")
    for check in checks:
        click.echo(f"  {'✓' if check.ok else '✗'} {check.name}：{check.detail}")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--standard", "code", default=None,
              help="評分表依據的職能基準代碼（預設：由評分表判斷）。")
@click.option("--template", "template", default=None, metavar="CODE",
              help="改為產生 CODE 的團隊評分表範本（<code>-gap-template.xlsx）。")
@click.option("--people", type=click.IntRange(min=0, max=5000), default=0,
              help="--template：預先列出的人數（預設：0）。")
@_out_folder
@click.option("--hours", type=float, default=None,
              help="每門建議課程的總時數（預設：每項工作任務 3 小時，至少 6 小時）。")
@click.option("--bar", type=float, default=None,
              help="落差門檻：工作任務分數低於此值即為落差（1–5，預設 3；設定檔 gap_bar）。")
@click.option("--format", "fmt", default="pdf,xlsx",
              help="以逗號分隔：docx、pdf、html（個人報告、團隊摘要與建議課程）、"
                   "xlsx（團隊活頁簿）（預設：pdf,xlsx）。")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="同時使用的處理程序數（預設：全部核心）。")
@click.option("--plans", is_flag=True,
              help="也為每位受評者產生完整的建議課程規劃草案（預設只產生其課程設定檔 "
                   "-course.yaml）。")
@_org
@click.pass_obj
@_errors_to_exit
def gap(obj: _Ctx, files, code, template, people, out, hours, bar, fmt, jobs, plans, org
        ) -> None:
    """職能落差分析：讀取填寫完成的自我檢核表或團隊評分表，產生個人與團隊的落差報告及建議課程。

    \b
    FILES：kmc-reports checklist 產生的 XLSX（每人一份）或團隊評分表（gap --template）。
    OUT/<code>-gap/NNN-<姓名>.*             每人的職能落差分析（NNN：輸入順序）
    OUT/<code>-gap/NNN-<姓名>-course.yaml   其建議訓練計畫的課程設定（--plans：另產生
                                             課程規劃草案 NNN-<姓名>-syllabus.*）
    OUT/<code>-gap-team.xlsx 與 .*        團隊活頁簿與摘要；-syllabus.* 為建議團隊課程"""
    from .reports import DOCUMENT_FORMATS, Output, parse_formats

    formats = parse_formats(fmt, DOCUMENT_FORMATS + ("xlsx",))
    staged = Staged()
    if template:
        if files:
            raise KmcError("--template 產生空白的團隊評分表，不可同時指定評分檔")
        from .ratings import team_template
        from .writers.xlsx import write_workbook

        std = obj.library.get(template)
        staged.add(out / f"{std.code}-gap-template.xlsx",
                   write_workbook(team_template(std, people)))
        for path in staged.commit():
            click.echo(path)
        return
    if not files:
        raise KmcError("請指定填寫完成的評分表（或以 --template CODE 產生團隊評分表範本）")
    if people:
        raise KmcError("--people 只適用於 --template")
    output = Output(obj.options(formats, org=org, jobs=jobs), staged)
    summary = obj.gap(output, list(files), code, hours, bar, out, plans)
    for path in staged.commit():
        click.echo(path)
    click.echo(summary)


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
    from .reports import DOCUMENT_FORMATS, parse_formats

    if fmt.strip() == "json":
        from .analyses import crosswalk
        standards = obj.library.load(codes)
        cw = crosswalk.build_crosswalk(standards, obj.decisions())
        click.echo(crosswalk.to_json(cw), nl=False)
        return
    formats = parse_formats(fmt, ("xlsx",) + DOCUMENT_FORMATS)
    staged = Staged()
    obj.comparison(codes, out, formats, staged)
    for path in staged.commit():
        click.echo(path)


@main.command("export")
@click.argument("codes", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["case", "moodle", "ctdl"]), required=True,
              help="case：CASE 1.1 套件；moodle：Moodle 職能架構 CSV；ctdl：CTDL-ASN JSON-LD。")
@_out_folder
@click.option("--base-uri", default=None,
              help="紀錄 URI 的前綴，其後接識別碼（預設：CASE 用 urn:uuid:，CTDL 用登錄庫位址）。")
@_org
@click.pass_obj
@_errors_to_exit
def export_cmd(obj: _Ctx, codes, fmt, out, base_uri, org) -> None:
    """將職能基準匯出為 CASE、Moodle 或 CTDL 格式，識別碼每次匯出都相同。

    同時匯出多項職能基準時，依職能對照（data/crosswalk.yaml）加上相同與相近項目的關聯。"""
    from .config import load_config
    from .exports import prepare, render

    standards = obj.library.load(list(dict.fromkeys(codes)))
    levels = obj.levels()
    cw = None
    if len(standards) > 1:
        from .analyses import crosswalk
        cw = crosswalk.build_crosswalk(standards, obj.decisions())
    plans = [obj.syllabus(*obj.course(s.code), None) for s in standards] if fmt == "ctdl" else []
    creator = org if org is not None else load_config(obj.config_path).org_name
    staged = Staged()
    for name, data in render(fmt, prepare(standards, levels, cw, creator=creator,
                                          base_uri=base_uri, plans=plans)).items():
        staged.add(out / name, data)
    for path in staged.commit():
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
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="同時產生報表的程序數（預設：全部 CPU 核心）。")
@click.option("--force", is_flag=True, help="全部重新產生（預設只重做輸入有變動的報表）。")
@click.option("--format", "fmt", default="docx,pdf,html,xlsx", show_default=True,
              help="要產生的格式（以逗號分隔；每份報告產生它具備的格式）。")
@click.pass_obj
@_errors_to_exit
def build(obj: _Ctx, out: Path, jobs: int | None, force: bool, fmt: str) -> None:
    """檢查資料夾內的職能基準，並將所有報告寫入 OUT。

    \b
    OUT/<code>/ 存放每項職能基準的職能基準表、職務說明書、自我檢核表、課程規劃及其涵蓋矩陣；
    OUT/comparison.xlsx 與 OUT/comparison-summary.* 比較全部職能基準；
    OUT/lint.txt 與 OUT/lint.json 為資料檢查結果。
    只重做輸入有變動的報表（紀錄在 OUT/.kmc-build.json）；來源已刪除的報表會移除。
    某項職能基準失敗時，其他照常產生，結束代碼為 1。"""
    total = len(obj.library.codes())
    bar = click.progressbar(length=total, label="產生報表", file=sys.stderr,
                            item_show_func=lambda code: code or "") \
        if sys.stderr.isatty() else None
    count = 0

    def done(code: str, status: str, detail: str) -> None:
        nonlocal count
        count += 1
        if bar is not None:
            bar.update(1, code)
        elif status != "unchanged":
            click.echo(f"[{count}/{total}] {code} {_STATUS[status]}", err=True)

    from .reports import DOCUMENT_FORMATS, parse_formats

    formats = parse_formats(fmt, DOCUMENT_FORMATS + ("xlsx",))
    if bar is not None:
        with bar:
            result = obj.build(out, jobs, force, done, formats)
    else:
        result = obj.build(out, jobs, force, done, formats)
    for code, name, detail in result.failed_checks:
        _warn(f"{code} 課程規劃：{name}：{detail}")
    for code, why in result.failed:
        click.echo(f"{interrupt.ERROR}{why}", err=True)
    removed = f"；移除 {len(result.removed)} 項來源已刪除的報表（{'、'.join(result.removed)}）" \
        if result.removed else ""
    from .build import COMPARISON

    failed = sum(1 for code, _ in result.failed if code != COMPARISON)
    comparison = f"比較結果在 {result.comparison}" if result.comparison else "未產生比較結果"
    click.echo(f"{result.standards} 項職能基準：產生 {result.built} 項、未變更 {result.unchanged} 項、"
               f"失敗 {failed} 項{removed}；{result.documents} 份文件在 {out}/<code>/；"
               f"{comparison}；資料檢查結果 {result.findings} 項，見 "
               f"{out / 'lint.txt'}；耗時 {result.seconds:.1f} 秒")
    if result.failed:
        sys.exit(1)


_STATUS = {"built": "已產生", "failed": "失敗"}


if __name__ == "__main__":  # pragma: no cover
    main()
