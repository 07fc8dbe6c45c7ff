"""Hostile templates and images: every template runs in Jinja's sandbox, images are real PNG or
JPEG files from allowed folders only; each refusal is one Chinese line, exit code 2, and the
output folder stays exactly as it was."""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from conftest import ROOT
from kmc_reports.cli import main

CODE = "KMC2432-001v4"
PREFIX = "kmc-reports：錯誤："


def run(*args):
    runner = CliRunner()
    return runner.invoke(main, ["--data", str(ROOT / "data"), *map(str, args)],
                         catch_exceptions=False)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under the folder (hidden ones too) and a hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def out(tmp_path):
    """An output folder that already holds an older report and another file."""
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / f"{CODE}-profile.html").write_text("old report", encoding="utf-8")
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    return folder


def refused(result, out: Path, before: dict[str, str], expected: str) -> None:
    """One line, exactly ``expected``; exit 2; no traceback; the output folder untouched."""
    assert result.exit_code == 2, result.output
    assert result.stderr == PREFIX + expected + "\n"
    assert "Traceback" not in result.output
    assert snapshot(out) == before
    assert not list(out.rglob("*.tmp"))


def png(path: Path, size=(120, 40), colour=(30, 60, 120)) -> Path:
    Image.new("RGB", size, colour).save(path, "PNG")
    return path


def jpeg(path: Path) -> Path:
    Image.new("RGB", (120, 40), (200, 30, 30)).save(path, "JPEG")
    return path


def truncated(path: Path) -> Path:
    data = png(path).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def bomb(path: Path, width: int, height: int) -> Path:
    """A PNG whose header claims width × height pixels; its data is a few bytes."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
    return path


def template(folder: Path, body: str) -> Path:
    """A user's profile template whose line 2 is ``body``."""
    folder.mkdir(exist_ok=True)
    path = folder / "profile-icap.xml.j2"
    path.write_text(f"<document><section>\n{body}\n</section></document>\n", encoding="utf-8")
    return path


# -- template code ---------------------------------------------------------------------------

INTERNAL = "範本不可使用 {} 的內部屬性 {!r}（範本在沙箱中執行）"


@pytest.mark.parametrize("payload, message", [
    ("{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
     INTERNAL.format("type", "__init__")),
    ("{{ joiner.__init__.__globals__['os'].system('touch MARKER') }}",
     INTERNAL.format("type", "__init__")),
    ("{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
     INTERNAL.format("function", "__globals__")),
    ("{{ namespace.__init__.__globals__.os.popen('touch MARKER') }}",
     INTERNAL.format("type", "__init__")),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", INTERNAL.format("str", "__class__")),
    ("{{ self._TemplateReference__context }}",
     INTERNAL.format("TemplateReference", "_TemplateReference__context")),
    ("{{ self.__init__.__globals__ }}", INTERNAL.format("TemplateReference", "__init__")),
    ("{{ std.__dict__ }}", INTERNAL.format("Standard", "__dict__")),
    ("{{ named.__globals__ }}", INTERNAL.format("function", "__globals__")),
    ("{{ '{0.__class__.__base__}'.format(1) }}", INTERNAL.format("int", "__class__")),
    ("{{ config }}", "範本錯誤：未定義的名稱 'config'"),
    ("{{ config.__class__.__init__.__globals__['os'] }}",
     INTERNAL.format("StrictUndefined", "__init__")),
    ("{{ request.application.__globals__.__builtins__ }}", "範本錯誤：未定義的名稱 'request'"),
    ("{{ settings.SECRET_KEY }}", "範本錯誤：未定義的名稱 'settings'"),
    ("{{ std.parse_file('/etc/passwd') }}",
     "範本不可使用 Standard 的 'parse_file'（範本在沙箱中執行，不可修改資料或讀寫檔案）"),
    ("{{ std.duties.append(std.duties[0]) }}",
     "範本不可使用 list 的 'append'（範本在沙箱中執行，不可修改資料或讀寫檔案）"),
    ("{{ range(10 ** 9) | list }}", "範本執行錯誤：range() 的範圍太大（沙箱上限 100000 項）"),
])
def test_hostile_template_code_is_refused(tmp_path, out, monkeypatch, payload, message):
    monkeypatch.chdir(tmp_path)
    path = template(tmp_path / "tpl", payload)
    before = snapshot(out)
    result = run("--templates", tmp_path / "tpl", "profile", CODE, "--format", "html,docx,pdf",
                 "--out", out)
    refused(result, out, before, f"{path}:2: {message}")
    assert not (tmp_path / "MARKER").exists()  # no command ran


def test_include_may_not_follow_a_link_out_of_the_folder(tmp_path, out):
    path = template(tmp_path / "tpl", '<p>{% include "passwd.j2" %}</p>')
    (tmp_path / "tpl" / "passwd.j2").symlink_to("/etc/passwd")
    before = snapshot(out)
    result = run("--templates", tmp_path / "tpl", "profile", CODE, "--format", "html",
                 "--out", out)
    refused(result, out, before,
            f"{path}:2: 範本 'passwd.j2' 是連到範本資料夾以外的檔案，不可使用")


@pytest.mark.parametrize("name", ["../../../../etc/passwd", "/etc/passwd"])
def test_include_may_not_leave_the_folder(tmp_path, out, name):
    path = template(tmp_path / "tpl", f'<p>{{% include "{name}" %}}</p>')
    before = snapshot(out)
    result = run("--templates", tmp_path / "tpl", "profile", CODE, "--format", "html",
                 "--out", out)
    refused(result, out, before, f"{path}:2: 找不到範本 {name!r}")


def test_a_template_that_is_a_link_out_of_the_folder_is_refused(tmp_path, out):
    (tmp_path / "tpl").mkdir()
    link = tmp_path / "tpl" / "profile-icap.xml.j2"
    link.symlink_to("/etc/passwd")
    before = snapshot(out)
    result = run("--templates", tmp_path / "tpl", "profile", CODE, "--format", "html",
                 "--out", out)
    refused(result, out, before,
            f"{link}: 範本 'profile-icap.xml.j2' 是連到範本資料夾以外的檔案，不可使用")


# -- images in templates ---------------------------------------------------------------------

OUTSIDE = "圖檔不在範本資料夾或設定檔的資料夾內"
NO_URL = "圖檔只能是範本資料夾或設定檔資料夾中的檔案，不可使用網址或 data: URI"
DATA_URI = "data:image/png;base64," + base64.b64encode(
    b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()


def _outside_png(tmp_path: Path) -> str:
    png(tmp_path / "secret.png")
    return "../secret.png"


def _link_out(tmp_path: Path) -> str:
    (tmp_path / "tpl").mkdir(exist_ok=True)
    (tmp_path / "tpl" / "link.png").symlink_to(png(tmp_path / "secret.png"))
    return "link.png"


def _link_to_passwd(tmp_path: Path) -> str:
    (tmp_path / "tpl").mkdir(exist_ok=True)
    (tmp_path / "tpl" / "passwd.png").symlink_to("/etc/passwd")
    return "passwd.png"


def _in_folder(tmp_path: Path, make) -> str:
    (tmp_path / "tpl").mkdir(exist_ok=True)
    make(tmp_path / "tpl" / "logo.png")
    return "logo.png"


def _text_as_png(path: Path) -> None:
    path.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")


@pytest.mark.parametrize("make, message", [
    (lambda t: "/etc/passwd", OUTSIDE),
    (_outside_png, OUTSIDE),
    (_link_out, OUTSIDE),
    (_link_to_passwd, OUTSIDE),
    (lambda t: DATA_URI, NO_URL),
    (lambda t: "https://example.com/logo.png", NO_URL),
    (lambda t: "file:///etc/passwd", NO_URL),
    (lambda t: _in_folder(t, _text_as_png), "不是 PNG 或 JPEG 圖檔"),
    (lambda t: _in_folder(t, truncated), "圖檔不完整或已損毀"),
    (lambda t: _in_folder(t, lambda p: p.write_bytes(b"")), "圖檔是空的（0 位元組）"),
    (lambda t: _in_folder(t, lambda p: bomb(p, 30000, 30000)),  # DecompressionBombError
     "圖片像素過多（上限 40 百萬像素；疑似解壓縮炸彈）"),
    (lambda t: _in_folder(t, lambda p: bomb(p, 10000, 9500)),  # DecompressionBombWarning
     "圖片像素過多（上限 40 百萬像素；疑似解壓縮炸彈）"),
    (lambda t: _in_folder(t, lambda p: bomb(p, 8000, 6000)),  # under Pillow's limits
     "圖片像素過多（上限 40 百萬像素；疑似解壓縮炸彈）"),
    (lambda t: "missing.png", "找不到圖檔"),
    (lambda t: "", "缺少圖檔路徑"),
])
@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
def test_template_images_are_refused(tmp_path, out, make, message, fmt):
    src = make(tmp_path)
    path = template(tmp_path / "tpl", f'<img src="{src}" width="30"/>')
    before = snapshot(out)
    result = run("--templates", tmp_path / "tpl", "profile", CODE, "--format", fmt,
                 "--out", out)
    refused(result, out, before, f'{path}: <img src="{src}">：{message}')


def test_bad_img_width_is_one_line(tmp_path, out):
    (tmp_path / "tpl").mkdir()
    png(tmp_path / "tpl" / "logo.png")
    path = template(tmp_path / "tpl", '<img src="logo.png" width="abc"/>')
    before = snapshot(out)
    result = run("--templates", tmp_path / "tpl", "profile", CODE, "--format", "pdf",
                 "--out", out)
    refused(result, out, before, f'{path}: 範本標記 <img> 的 width="abc" 應為 1 到 500 之間的數字')


def test_template_images_from_the_template_and_config_folders(tmp_path):
    """Allowed: a file of the template folder (also through a link that stays inside, and
    an oversized width, which the PDF shrinks to the page) and one of the config file's
    folder; each embedded as checked."""
    tpl, cfg = tmp_path / "tpl", tmp_path / "cfg"
    tpl.mkdir()
    cfg.mkdir()
    logo = png(tpl / "logo.png")
    (tpl / "alias.png").symlink_to(logo)
    seal = jpeg(cfg / "seal.jpg")
    (cfg / "kmc-reports.yaml").write_text("org_name: 範例文創股份有限公司\n", encoding="utf-8")
    template(tpl, f'<img src="logo.png" width="500"/><img src="./sub/../alias.png"/>'
                  f'<img src="{seal}" width="20"/><p>自訂</p>')
    out = tmp_path / "out"
    result = run("--config", cfg / "kmc-reports.yaml", "--templates", tpl, "profile", CODE,
                 "--format", "html,docx,pdf", "--out", out)
    assert result.exit_code == 0, result.output
    page = (out / f"{CODE}-profile.html").read_text(encoding="utf-8")
    assert page.count(base64.b64encode(logo.read_bytes()).decode()) == 2
    assert f"data:image/jpeg;base64,{base64.b64encode(seal.read_bytes()).decode()}" in page


# -- the logo ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
@pytest.mark.parametrize("make, message", [
    (truncated, "圖檔不完整或已損毀"),
    (_text_as_png, "不是 PNG 或 JPEG 圖檔"),
    (lambda p: p.write_bytes(b""), "圖檔是空的（0 位元組）"),
    (lambda p: bomb(p, 30000, 30000), "圖片像素過多（上限 40 百萬像素；疑似解壓縮炸彈）"),
])
def test_bad_logo_is_one_line(tmp_path, out, fmt, make, message):
    logo = tmp_path / "logo.png"
    make(logo)
    before = snapshot(out)
    result = run("profile", CODE, "--layout", "job", "--logo", logo, "--format", fmt,
                 "--out", out)
    refused(result, out, before, f"--logo {logo}：{message}")


def test_truncated_logo_in_the_config_file(tmp_path, out):
    truncated(tmp_path / "logo.png")
    config = tmp_path / "kmc-reports.yaml"
    config.write_text("logo: logo.png\n", encoding="utf-8")
    before = snapshot(out)
    result = run("--config", config, "profile", CODE, "--format", "docx,pdf", "--out", out)
    refused(result, out, before, f"{config}: logo {tmp_path / 'logo.png'}：圖檔不完整或已損毀")


def test_a_logo_from_anywhere_still_prints_in_the_builtin_reports(tmp_path):
    """The user's own logo may be anywhere: PNG and JPEG, relative to the working folder or
    to the config file; the built-in templates print it in every format."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    logo = png(elsewhere / "logo.png")
    out = tmp_path / "out"
    result = run("profile", CODE, "--logo", logo, "--format", "docx,pdf,html", "--out", out)
    assert result.exit_code == 0, result.output
    assert base64.b64encode(logo.read_bytes()).decode() in \
        (out / f"{CODE}-profile.html").read_text(encoding="utf-8")
    seal = jpeg(elsewhere / "seal.jpg")
    config = elsewhere / "kmc-reports.yaml"
    config.write_text("org_name: 範例\nlogo: seal.jpg\n", encoding="utf-8")
    result = run("--config", config, "profile", CODE, "--layout", "job",
                 "--format", "docx,pdf,html", "--out", out)
    assert result.exit_code == 0, result.output
    assert f"data:image/jpeg;base64,{base64.b64encode(seal.read_bytes()).decode()}" in \
        (out / f"{CODE}-job.html").read_text(encoding="utf-8")


def test_builtin_templates_render_in_the_sandbox(tmp_path):
    """Every built-in report (its globals, filters and macros, and the config file's logo)
    works in the sandbox."""
    png(tmp_path / "logo.png")
    config = tmp_path / "kmc-reports.yaml"
    config.write_text("org_name: 範例文創股份有限公司\nlogo: logo.png\n", encoding="utf-8")
    out = tmp_path / "out"
    for args in (["profile", CODE, "--format", "html", "--out", out],
                 ["profile", CODE, "--layout", "job", "--format", "html", "--out", out],
                 ["checklist", CODE, "--format", "html", "--out", out],
                 ["syllabus", CODE, "--format", "html", "--out", out],
                 ["compare", "--format", "html", "--out", out / "comparison.xlsx"],
                 ["diff", CODE, "KMC2432-002v4", "--force", "--format", "html", "--out", out]):
        result = run("--config", config, *args)
        assert result.exit_code == 0, (args, result.output)
    pages = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.html")}
    assert len(pages) == 6, sorted(pages)
    logo = base64.b64encode((tmp_path / "logo.png").read_bytes()).decode()
    assert {name for name, page in pages.items() if logo in page} == {
        f"{CODE}-profile.html", f"{CODE}-job.html", f"{CODE}-syllabus.html",
        f"{CODE}-KMC2432-002v4-diff.html"}  # the templates that print a logo
