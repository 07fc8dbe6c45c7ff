"""The `kmc-reports` command line.  Bad input ends in one line on stderr and exit code 2."""

from __future__ import annotations

import json
import os
import sys
from functools import wraps
from pathlib import Path

import click

from . import __version__
from .analyses import lint as lint_mod
from .corrections import apply_corrections
from .errors import KmcError
from .importers import import_file
from .store import Library, dump_standard, load_standard, save_standard
from .schema import schema_json


def _default_data() -> Path:
    """./data when run in a checkout, else the data folder beside the installed package."""
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
    def __init__(self, data: Path):
        self.data = data
        self.library = Library(data / "standards")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kmc-reports")
@click.option("--data", "data", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Data folder (default: ./data, or $KMC_DATA).")
@click.pass_context
def main(ctx: click.Context, data: Path | None) -> None:
    """Documents from iCAP occupational competency standards (職能基準)."""
    ctx.obj = _Ctx(data or _default_data())


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
    for f in files:
        std = import_file(f, _warn)
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
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True)
@click.pass_obj
@_errors_to_exit
def build(obj: _Ctx, out: Path) -> None:
    """Validate the bundled standards and write every report under OUT."""
    from .atomic import write_text

    standards = obj.library.load()
    findings = lint_mod.lint_all(standards)
    write_text(out / "lint.txt", lint_mod.render(findings, "table"))
    write_text(out / "lint.json", lint_mod.render(findings, "json"))
    click.echo(f"{len(standards)} standards valid; {len(findings)} lint findings "
               f"→ {out / 'lint.txt'}, {out / 'lint.json'}")


if __name__ == "__main__":  # pragma: no cover
    main()
