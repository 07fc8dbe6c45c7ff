"""How the command line ends: click's own usage errors as the tool's one Chinese line (exit
code 2), Ctrl-C as one line (exit code 130), temp files removed on every way out.

Everything goes through :class:`Guarded`, the top command group's ``main``: click runs in
non-standalone mode and its exceptions are answered here, once, for every command.  Help
screens (``--help``, a group without a command) stay click's own.
"""

from __future__ import annotations

import ast
import os
import re
import sys

import click
from click import exceptions as ce

from . import atomic, fonts, interrupt

PROG = "kmc-reports"


def _err(line: str) -> None:
    """One line on stderr; on a terminal, over whatever a progress bar left on the line."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    click.echo(line, err=True)


class Guarded:
    """Mixin for the top click.Group: runs a command and turns every way it can end into an
    exit code, with at most one error line."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        code = 0
        with interrupt.handled():
            try:
                try:
                    code = self._invoke(args, complete_var, extra)
                    if interrupt.received():  # it came, but something swallowed it
                        raise interrupt.received()
                finally:
                    atomic.cleanup()
            except interrupt.Interrupted as exc:
                interrupt.stop(exc)
            except Exception:
                if interrupt.received():  # raised while the interrupt was (e.g. wrapped)
                    interrupt.stop(interrupt.received())
                raise
        sys.exit(code)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:  # raised, not signalled: still one line, not click's
            raise interrupt.Interrupted() from exc

    def _invoke(self, args, complete_var, extra) -> int:
        previous = fonts.progress
        fonts.progress = _err  # the slow first-time font cut says what it does, on stderr
        try:
            rv = super().main(args, PROG, complete_var, False, **extra)
            return rv if isinstance(rv, int) else 0  # an int is click's Exit (--help: 0)
        except ce.NoArgsIsHelpError as exc:  # a group without a command: its help screen
            exc.show()
            return exc.exit_code
        except ce.UsageError as exc:
            _err(f"{interrupt.ERROR}{usage_message(exc)}")
            return 2
        except ce.Abort as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):
                interrupt.stop(exc.__cause__)
            _err(f"{interrupt.ERROR}"
                 + ("輸入意外結束，已取消" if isinstance(exc.__cause__, EOFError) else "已取消"))
            return 2
        except ce.ClickException as exc:
            _err(f"{interrupt.ERROR}{exc.format_message()}")
            return 2
        except KeyboardInterrupt as exc:
            interrupt.stop(exc)
        except BrokenPipeError:
            # the reader of stdout went away (`| head`): stop quietly, like any filter
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError):
                pass
            return 1
        finally:
            fonts.progress = previous
        return 0  # not reached: stop() exits


# -- click's usage errors in Chinese -----------------------------------------------------------

def usage_message(exc: ce.UsageError) -> str:
    """The error as one Chinese line naming the option or argument, with where to find help."""
    ctx = exc.ctx
    text = _message(exc, ctx)
    see = f"用法見 {ctx.command_path if ctx is not None else PROG} --help"
    text = f"{text[:-1]}；{see}）" if text.endswith("）") else f"{text}（{see}）"
    return " ".join(text.split())


def _commands(ctx: click.Context | None) -> str:
    if ctx is None or not isinstance(ctx.command, click.Group):
        return ""
    names = [n for n in ctx.command.list_commands(ctx)
             if not ctx.command.get_command(ctx, n).hidden]
    return "、".join(names)


def _maybe(possibilities) -> str:
    return f"；是不是 {'、'.join(possibilities)}？" if possibilities else ""


def _message(exc: ce.UsageError, ctx: click.Context | None) -> str:
    message = exc.message
    no_such_command = getattr(ce, "NoSuchCommand", None)  # click 8.4 and later
    if no_such_command and isinstance(exc, no_such_command):
        return f"沒有「{exc.command_name}」這個命令{_maybe(exc.possibilities)}" \
               f"（可用的命令：{_commands(ctx)}）"
    if isinstance(exc, ce.NoSuchOption):
        return f"沒有 {exc.option_name} 這個選項{_maybe(exc.possibilities)}"
    if isinstance(exc, ce.BadOptionUsage):
        name = exc.option_name
        if m := re.search(r"requires (\d+) arguments", message):
            return f"選項 {name} 需要 {m[1]} 個值"
        if "requires an argument" in message:
            return f"選項 {name} 需要一個值"
        if "does not take a value" in message:
            return f"選項 {name} 不接受值"
        return f"選項 {name} 的用法不正確"
    if isinstance(exc, ce.MissingParameter):
        return _missing(exc)
    if isinstance(exc, ce.BadParameter):
        return _bad_value(exc)
    if m := re.match(r"No such command '(.*)'", message):  # click before 8.4
        return f"沒有「{m[1]}」這個命令（可用的命令：{_commands(ctx)}）"
    if message.startswith("Missing command"):
        return f"請指定命令（可用的命令：{_commands(ctx)}）"
    if m := re.match(r"Got unexpected extra arguments? \((.*)\)$", message):
        return f"多出的參數：{m[1]}"
    if m := re.match(r"Argument '(.*)' takes (\d+) values", message):
        return f"參數 {m[1].upper()} 需要 {m[2]} 個值"
    return f"用法不正確：{message}"


def _name(param: click.Parameter | None, hint=None) -> str:
    """--out for an option (its long name), CODE for an argument."""
    if param is None:
        if isinstance(hint, (list, tuple)):
            return " / ".join(hint)
        return str(hint or "參數")
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name


def _choices(param: click.Parameter | None) -> str:
    if param is not None and isinstance(param.type, click.Choice):
        return "、".join(map(str, param.type.choices))
    return ""


def _missing(exc: ce.MissingParameter) -> str:
    param = exc.param
    name = _name(param, exc.param_hint)
    kind = exc.param_type or (param.param_type_name if param else "parameter")
    choices = _choices(param)
    extra = f"（可用的值：{choices}）" if choices else ""
    if kind == "argument":
        return f"缺少參數 {name}{extra}"
    if kind == "option":
        return f"缺少選項 {name}{extra}"
    return f"缺少 {name}{extra}"


def _value(message: str) -> str | None:
    """The value click quotes in its message (as Python's repr), if there is one."""
    m = re.search(r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""", message)
    if not m:
        return None
    try:
        return str(ast.literal_eval(m[1]))
    except (ValueError, SyntaxError):
        return m[1][1:-1]


def _bad_value(exc: ce.BadParameter) -> str:
    param, message = exc.param, exc.message
    name = _name(param, exc.param_hint)
    value = _value(message)
    shown = f"「{value}」" if value is not None else "值"
    kind = param.type if param is not None else None
    if isinstance(kind, click.Choice):
        return f"{name}：{shown}不是可用的值（可用的值：{_choices(param)}）"
    if isinstance(kind, click.Path):
        path = value if value is not None else ""
        for english, chinese in (("is a file", f"{path} 是檔案，這裡需要資料夾"),
                                 ("is a directory", f"{path} 是資料夾，這裡需要檔案"),
                                 ("does not exist", f"找不到 {path}"),
                                 ("is not readable", f"{path} 沒有讀取權限"),
                                 ("is not writable", f"{path} 沒有寫入權限"),
                                 ("is not executable", f"{path} 沒有執行權限")):
            if english in message:
                return f"{name}：{chinese}"
    if "is not in the range" in message:
        return f"{name}：{shown}超出可用的範圍"
    if isinstance(kind, (click.types.FloatParamType, click.types.FloatRange)):
        return f"{name}：{shown}不是數字"
    if isinstance(kind, (click.types.IntParamType, click.types.IntRange)):
        return f"{name}：{shown}不是整數"
    if isinstance(kind, click.types.BoolParamType):
        return f"{name}：{shown}不是 true 或 false"
    return f"{name}：{shown}不正確"
