"""Errors a user can act on: one line, naming the file (and line), exit code 2.

Messages are Traditional Chinese; file paths, line numbers, codes and field paths stay as
they are.  Pydantic's and the operating system's English messages are translated here, once,
for every reader (standards, course specs, options)."""

from __future__ import annotations

import errno
import json
import re


class KmcError(Exception):
    """Bad input or a request that cannot be met; the CLI prints it as one line."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.message, self.path, self.line = message, path, line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return where + self.message


# -- pydantic validation errors ------------------------------------------------------------

_MESSAGES = {
    "missing": "必填欄位",
    "extra_forbidden": "不認得的欄位",
    "greater_than": "必須大於 {gt}",
    "greater_than_equal": "不可小於 {ge}",
    "less_than": "必須小於 {lt}",
    "less_than_equal": "不可大於 {le}",
    "multiple_of": "必須是 {multiple_of} 的倍數",
    "finite_number": "必須是有限的數字",
    "literal_error": "必須是 {choices} 之一",
    "string_pattern_mismatch": "格式不符{example}",
    "too_short": "至少需要 {min_length} 項",
    "too_long": "最多 {max_length} 項",
    "string_too_short": "不可空白",
    "string_type": "必須是文字",
    "float_parsing": "必須是數字",
    "float_type": "必須是數字",
    "int_parsing": "必須是整數",
    "int_type": "必須是整數",
    "int_from_float": "必須是整數",
    "bool_parsing": "必須是 true 或 false",
    "bool_type": "必須是 true 或 false",
    "list_type": "必須是清單",
    "dict_type": "必須是「鍵: 值」對照",
    "model_type": "必須是「欄位: 值」對照",
    "model_attributes_type": "必須是「欄位: 值」對照",
}

# Code patterns of the model, by the example a user recognises.
_PATTERN_EXAMPLES = {
    r"^[A-Z]{3}\d{4}-\d{3}v\d+$": "KMC2432-001v4",
    r"^T\d+$": "T1",
    r"^T\d+\.\d+$": "T1.1",
    r"^O\d+\.\d+\.\d+$": "O1.1.1",
    r"^P\d+\.\d+\.\d+$": "P1.1.1",
    r"^[KS]\d+$": "K01 或 S01",
    r"^A\d+$": "A01",
}


def validation_message(err: dict) -> str:
    """Pydantic's message for one error, in Chinese (its English one for a rare type)."""
    if err["type"] == "value_error":
        return err["msg"].removeprefix("Value error, ")
    template = _MESSAGES.get(err["type"])
    if template is None:
        return err["msg"]
    ctx = {k: f"{v:g}" if isinstance(v, float) else v for k, v in err.get("ctx", {}).items()}
    ctx["choices"] = "、".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
    example = _PATTERN_EXAMPLES.get(str(ctx.get("pattern", "")))
    ctx["example"] = f"（應如 {example}）" if example else ""
    return template.format(**ctx)


def field_path(loc) -> str:
    """``duties[0].tasks[1].bands[0].level`` from pydantic's location tuple."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def validation_text(err: dict) -> str:
    """``field = value：message`` (no value for a missing or unknown field, no field for the
    whole record)."""
    field = field_path(err["loc"])
    message = validation_message(err)
    if not field:
        return message
    if err["type"] in ("missing", "extra_forbidden"):
        return f"{field}：{message}"
    value = err.get("input")
    shown = "…" if isinstance(value, (dict, list)) else json.dumps(value, ensure_ascii=False)
    return f"{field} = {shown}：{message}"


# -- operating system errors ---------------------------------------------------------------

_OS_MESSAGES = {
    errno.ENOENT: "找不到檔案或資料夾",
    errno.EACCES: "沒有存取權限",
    errno.EPERM: "沒有操作權限",
    errno.ENOSPC: "磁碟空間不足",
    errno.EROFS: "唯讀的檔案系統，無法寫入",
    errno.EISDIR: "這是資料夾，不是檔案",
    errno.ENOTDIR: "路徑中有不是資料夾的項目",
    errno.EEXIST: "已經存在",
    errno.ENAMETOOLONG: "檔名太長",
}


def os_message(exc: OSError) -> str:
    """The reason of an OSError, in Chinese for the common ones."""
    return _OS_MESSAGES.get(exc.errno) or exc.strerror or str(exc)


# -- YAML and JSON syntax errors -------------------------------------------------------------

_YAML_PROBLEMS = {
    "mapping values are not allowed here": "此處不可使用「: 」（文字中有冒號時請加上引號）",
    "could not find expected ':'": "找不到預期的「:」",
    "found character '\\t' that cannot start any token": "含有 Tab 字元（請改用空格縮排）",
    "found character": "含有不能用於此處的字元",
    "expected <block end>": "縮排不一致",
    "expected ',' or ']'": "清單少了「,」或「]」",
    "expected ',' or '}'": "對照少了「,」或「}」",
    "found unexpected end of stream": "檔案意外結束（引號未成對？）",
    "found unknown escape character": "含有無效的跳脫字元",
    "found undefined alias": "使用了未定義的別名",
    "found duplicate anchor": "錨點名稱重複",
    "found a tab character": "含有 Tab 字元（請改用空格縮排）",
    "expected the node content": "此處缺少內容（括號或引號未成對？）",
    "expected a comment or a line break": "同一行後面有多餘的內容（文字中有「#」或引號時請整段加上引號）",
    "block sequence entries are not allowed here": "此處不可使用清單項目「- 」（縮排不一致？）",
    "mapping keys are not allowed here": "此處不可使用「? 」",
    "expected <document start>": "文件開頭的格式不對",
    "expected alphabetic or numeric character": "錨點或別名的名稱無效",
    "expected ' '": "此處應有空格",
    "expected escape sequence": "跳脫字元的格式不對",
    "found unhashable key": "鍵不可為清單或對照",
    "found unexpected ':'": "含有不能用於此處的「:」（文字中有冒號時請加上引號）",
}

_JSON_PROBLEMS = {
    "Expecting value": "缺少值",
    "Expecting ',' delimiter": "缺少「,」",
    "Expecting ':' delimiter": "缺少「:」",
    "Expecting property name enclosed in double quotes": "欄位名稱必須以雙引號括住",
    "Unterminated string starting at": "字串缺少結尾的引號",
    "Invalid control character at": "字串中含有控制字元",
    "Invalid \\escape": "含有無效的跳脫字元",
    "Extra data": "JSON 結束後還有多餘的內容",
    "Illegal trailing comma before end of object": "物件結尾多了「,」",
    "Illegal trailing comma before end of array": "清單結尾多了「,」",
}


def _translated(problem: str, table: dict[str, str]) -> str:
    """The parser's problem in Chinese; one it has no words for is not shown in English."""
    return next((zh for en, zh in table.items() if problem.startswith(en)), "此處的內容無法解析")


def yaml_problem(exc: Exception) -> tuple[str, int | None]:
    """``YAML 格式錯誤：…`` and the 1-based line, from a PyYAML error."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"YAML 格式錯誤：{_translated(problem, _YAML_PROBLEMS)}", \
        (mark.line + 1 if mark else None)


def json_problem(msg: str) -> str:
    """``JSON 格式錯誤：…`` from a json.JSONDecodeError's msg."""
    return f"JSON 格式錯誤：{_translated(msg, _JSON_PROBLEMS)}"
