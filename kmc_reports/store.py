"""Standards saved as readable YAML, one file per standard, with errors that point at a line.

Saving is canonical (model field order, no line folding, short items as one-line mappings),
so load → save gives the same bytes and diffs stay small.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from . import lifecycle
from .atomic import write_text
from .errors import KmcError, validation_text, yaml_problem
from .model import Standard

# Mappings written on one line: small records that read best side by side.
_FLOW_KEYS = {"knowledge", "skills", "outputs", "job_categories", "occupations", "industries",
              "versions", "refs"}
# Short lists of codes, written on one line.
_FLOW_LISTS = {"shared_with"}
M = TypeVar("M", bound=BaseModel)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # 8× faster where libyaml is built in


class _Flow(dict):
    pass


class _FlowList(list):
    pass


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Flow, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True))
_Dumper.add_representer(
    _FlowList, lambda d, data: d.represent_sequence("tag:yaml.org,2002:seq", data,
                                                    flow_style=True))


def _mark_flow(node: Any, key: str = "") -> Any:
    if isinstance(node, dict):
        return {k: _mark_flow(v, k) for k, v in node.items()}
    if isinstance(node, list):
        if key in _FLOW_LISTS:
            return _FlowList(node)
        return [_Flow(v) if key in _FLOW_KEYS and isinstance(v, dict) else _mark_flow(v)
                for v in node]
    return node


def dump_standard(std: Standard) -> str:
    data = _mark_flow(std.model_dump(mode="json", exclude_defaults=True))
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     width=1_000_000, default_flow_style=False, indent=2)


def save_standard(std: Standard, path: str | Path) -> None:
    write_text(path, dump_standard(std))


def validate(model: type[M], data: Any, path: str, node: Callable[[], yaml.Node | None] | None,
             not_a_mapping: str) -> M:
    """Plain data as a model; a failure names the field, the value and the line (found in
    the YAML's node tree, composed only then: a valid file is parsed once)."""
    if not isinstance(data, dict):
        raise KmcError(not_a_mapping, path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        tree = node() if node is not None else None
        line = None
        if tree is not None:
            # a check of the whole model names the item's code: point at that item
            code = re.search(r"[TPOKSA]\d+(?:\.\d+)*", err["msg"]) if not err["loc"] else None
            line = (_line_of_code(tree, code.group()) if code else None) or \
                _line_of(tree, err["loc"])
        raise KmcError(validation_text(err), path, line) from None


def _line_of_code(node: yaml.Node, code: str) -> int | None:
    """The line of the first mapping whose ``code`` is ``code``."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "code" and isinstance(value, yaml.ScalarNode) and value.value == code:
                return key.start_mark.line + 1
        children = [v for _, v in node.value]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
    else:
        return None
    return next((line for child in children if (line := _line_of_code(child, code))), None)


def _line_of(node: yaml.Node, loc: Iterable) -> int | None:
    """Follow a pydantic error location through the composed YAML to its line."""
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and part < len(node.value):
            nxt = node.value[part]
        else:
            nxt = None
        if nxt is None:
            break
        node, line = nxt, nxt.start_mark.line + 1
    return line


def read_yaml(path: str | Path) -> tuple[Any, Callable[[], yaml.Node | None]]:
    """A YAML file's data (libyaml's C parser where installed) and a function giving its node
    tree, for the line of an error; errors name file and line."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise KmcError("找不到檔案", str(path)) from None
    except UnicodeDecodeError:
        raise KmcError("不是 UTF-8 文字檔", str(path)) from None
    try:
        return (yaml.load(text, Loader=_Loader),
                functools.partial(yaml.compose, text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        try:  # the pure-Python parser words its problems the way errors.py translates them
            yaml.load(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as worded:
            exc = worded
        message, line = yaml_problem(exc)
        raise KmcError(message, str(path), line) from None


def load_standard(path: str | Path) -> Standard:
    return _standard(str(path), *read_yaml(path))


def _standard(path: str, data: Any, node: Callable[[], yaml.Node | None]) -> Standard:
    lifecycle.done()
    return validate(Standard, data, path, node, "不是職能基準：最上層應為「欄位: 值」對照")


class Library:
    """The standards of one data folder (``data/standards/<code>.yaml``).

    Each file is parsed once while it stays the same (its time and size): a command that
    needs a standard several times (the syllabus, the comparison, the build) reads it once,
    and every call still gets a model of its own to change."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._parsed: dict[Path, tuple[tuple[int, int], Any, Callable]] = {}

    def _read(self, path: Path) -> tuple[Any, Callable[[], yaml.Node | None]]:
        """:func:`read_yaml` of `path`, from the last time when the file is unchanged."""
        try:
            st = path.stat()
        except OSError:
            return read_yaml(path)  # which says what is wrong with it
        stamp = (st.st_mtime_ns, st.st_size)
        known = self._parsed.get(path)
        if known is None or known[0] != stamp:
            known = self._parsed[path] = (stamp, *read_yaml(path))
        return known[1], known[2]

    def codes(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.yaml"))

    def path(self, code: str) -> Path:
        return self.folder / f"{code}.yaml"

    def get(self, code: str) -> Standard:
        """The standard of ``<code>.yaml``; a file holding another code is an error (two
        files with one code would count a standard twice in every comparison)."""
        path = self.path(code)
        if not path.is_file():
            known = "、".join(self.codes()) or "無"
            raise KmcError(f"找不到職能基準代碼 {code!r}（資料夾內有：{known}）")
        std = _standard(str(path), *self._read(path))
        if std.code != code:
            other = self.path(std.code)
            if other.is_file():
                raise KmcError(f"職能基準代碼 {std.code} 與 {other} 重複；每項職能基準只能有一個"
                               f"模型檔，檔名為其代碼", str(path))
            raise KmcError(f"檔名與其中的職能基準代碼 {std.code} 不符；請改名為 {std.code}.yaml",
                           str(path))
        return std

    def load(self, codes: Iterable[str] = ()) -> list[Standard]:
        codes = list(codes) or self.codes()
        if not codes:
            raise KmcError(f"資料夾 {self.folder} 內沒有職能基準")
        return [self.get(c) for c in codes]
