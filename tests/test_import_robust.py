"""Any damage to a real standard's text — cut anywhere, page breaks anywhere, lines doubled or
dropped — imports with warnings or fails with one KmcError line; never anything else."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kmc_reports.errors import KmcError
from kmc_reports.importers import import_file
from real_gold import REAL

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real is not beside the checkout")

TEXTS = {p.stem: p.read_text(encoding="utf-8") for p in sorted((REAL / "text").glob("*.txt"))} \
    if REAL.is_dir() else {}
HEADER = ("第 9 頁，總共 9 頁\n主要職責 工作任務 工作產出 行為指標 職能級別 職能內涵\n（K=knowledge 知\n識）\n"
          "職能內涵（S=skills 技\n能）")


@st.composite
def damaged(draw):
    code = draw(st.sampled_from(sorted(TEXTS)))
    lines = TEXTS[code].split("\n")
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        action = draw(st.sampled_from(["drop", "double", "break", "cut-line"]))
        if action == "drop" and len(lines) > 1:
            del lines[i]
        elif action == "double":
            lines.insert(i, lines[i])
        elif action == "break":
            lines.insert(i, HEADER)
        elif action == "cut-line" and lines[i]:
            lines[i] = lines[i][:draw(st.integers(0, len(lines[i])))]
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = text[:draw(st.integers(0, len(text)))]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_text_imports_or_fails_with_one_line(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("robust") / "damaged.txt"
    path.write_text(text, encoding="utf-8")
    try:
        import_file(path, lambda _: None)
    except KmcError as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(p.name for p in (REAL / "ocs-json").glob("*.json")))
       if REAL.is_dir() else st.nothing(),
       st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(
           [None, "", 0, 9, "34", [], {}, "P1.1.1"])), max_size=4))
def test_damaged_json_imports_or_fails_with_one_line(tmp_path_factory, name, spoils):
    """Values replaced anywhere in the tree (by position in a walk of it)."""
    doc = json.loads((REAL / "ocs-json" / name).read_text(encoding="utf-8"))
    slots = []

    def walk(node):
        items = node.items() if isinstance(node, dict) else enumerate(node) \
            if isinstance(node, list) else []
        for key, value in items:
            slots.append((node, key))
            walk(value)

    walk(doc)
    for pos, value in spoils:
        node, key = slots[pos % len(slots)]
        node[key] = value
    path = tmp_path_factory.mktemp("robust") / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    try:
        import_file(path, lambda _: None)
    except KmcError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(str(p) for form in ("pdf", "docx")
                              for p in (REAL / form).glob(f"*.{form}"))) if REAL.is_dir()
       else st.nothing(), st.floats(0.0, 1.0), st.integers(0, 255), st.booleans())
def test_damaged_pdf_and_docx_import_or_fail_with_one_line(tmp_path_factory, source, cut, byte,
                                                           flip):
    """A laid-out file cut short, or with one byte changed, anywhere."""
    data = bytearray(open(source, "rb").read())
    if flip:
        data[int(cut * (len(data) - 1))] = byte
    else:
        data = data[:int(cut * len(data))]
    path = tmp_path_factory.mktemp("robust") / ("damaged" + source[-5:])
    path.write_bytes(bytes(data))
    try:
        import_file(path, lambda _: None)
    except KmcError as exc:
        assert "\n" not in str(exc)


def test_a_damaged_pdf_gives_one_line_on_stderr_and_exit_2(tmp_path):
    """The PDF library's own complaints about a damaged file never reach the terminal."""
    import subprocess
    import sys

    data = bytearray((REAL / "pdf" / "BHR2422-006v4.pdf").read_bytes())
    data[int(0.7578125 * (len(data) - 1))] = 0  # breaks a compressed font stream
    path = tmp_path / "damaged.pdf"
    path.write_bytes(bytes(data))
    proc = subprocess.run([sys.executable, "-m", "kmc_reports", "import", str(path), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"kmc-reports：錯誤：{path}: 此 PDF 的文字無法解碼（字型缺少字元對應，或檔案損毀）；"
        "請改用原始的 PDF、DOCX 或文字檔"]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
