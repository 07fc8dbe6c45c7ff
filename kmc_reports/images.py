"""Images a document may show: real PNG or JPEG files only, read and checked once.

Templates are shared between organisations like documents are, so an ``<img src>`` in a
template may name only a file under the allowed folders (:func:`allowed_roots`: the template
folders and the config file's folder; symlinks and ``..`` resolved first), never a URL or a
``data:`` URI.  The logo the user names (``--logo``, ``logo:`` in kmc-reports.yaml) may be
anywhere.  Every image must be a PNG or JPEG by its bytes and load whole in Pillow; a damaged,
empty or enormous file is refused with one line before anything is written.  The checked bytes
travel in the document (:class:`~kmc_reports.document.Image`), so no writer reads the file
again.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from .errors import KmcError, os_message

MAGIC = {"PNG": b"\x89PNG\r\n\x1a\n", "JPEG": b"\xff\xd8\xff"}
MIME = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_BYTES = 20 * 1024 * 1024  # a logo is a few kB; this is generous
MAX_PIXELS = 40_000_000  # well below Pillow's decompression-bomb limit (89 M)
_TOO_BIG = f"圖片像素過多（上限 {MAX_PIXELS // 1_000_000} 百萬像素；疑似解壓縮炸彈）"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # http:, file:, data: … (not C:\)


@dataclass(frozen=True)
class Picture:
    """A checked image: where it came from, its bytes, PNG or JPEG, and its pixel size."""

    path: str
    data: bytes
    format: str
    width: int
    height: int

    @property
    def mime(self) -> str:
        return MIME[self.format]


def load_image(path: str | Path, label: str, where: str | None = None) -> Picture:
    """Read and check an image file.  ``label`` says who named it (「--logo x.png」,
    「<img src="…">」), ``where`` the file that did (template or config file), for the one
    line a refusal prints."""

    def refuse(reason: str):
        return KmcError(f"{label}：{reason}", where)

    path = Path(path)
    try:
        if not path.exists():
            raise refuse("找不到圖檔")
        if not path.is_file():  # a folder, a device, a pipe: never read
            raise refuse("不是一般檔案（請使用 PNG 或 JPEG 圖檔）")
        size = path.stat().st_size
        if size == 0:
            raise refuse("圖檔是空的（0 位元組）")
        if size > MAX_BYTES:
            raise refuse(f"圖檔太大（{size / 1048576:.1f} MB，上限 {MAX_BYTES // 1048576} MB）")
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise refuse(f"無法讀取圖檔（{os_message(exc)}）") from None
    kind = next((k for k, magic in MAGIC.items() if data.startswith(magic)), None)
    if kind is None:
        raise refuse("不是 PNG 或 JPEG 圖檔")
    width, height = _decode(data, kind, refuse)
    return Picture(str(path), data, kind, width, height)


def _decode(data: bytes, kind: str, refuse) -> tuple[int, int]:
    """Pillow must read the header and decode every pixel; a bomb is refused by its header."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=[kind]) as img:
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise refuse(_TOO_BIG)
                img.verify()  # PNG: every chunk's checksum
            with Image.open(BytesIO(data), formats=[kind]) as img:
                img.load()  # every pixel: a truncated file fails here
    except KmcError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse(_TOO_BIG) from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for damaged data
        raise refuse("圖檔不完整或已損毀") from None
    if width < 1 or height < 1:
        raise refuse("圖檔不完整或已損毀")
    return width, height



def logo(option: str | None, config) -> str:
    """The logo to print: ``--logo``, else the config file's ``logo:``; checked, and as an
    absolute path (templates resolve relative ``src`` against their own folder)."""
    if option is not None:
        path, label, where = option, f"--logo {option}", None
    else:
        path, label, where = config.logo, f"logo {config.logo}", config.path or None
    if not path:
        return ""
    load_image(path, label, where)
    return str(Path(path).resolve())


def allowed_roots(templates: str | Path | None, config) -> tuple[Path, ...]:
    """The only folders a template's ``<img src>`` may point into (symlinks resolved): the
    user's template folder, the built-in one, and the folder of the config file in use."""
    from .templating import BUILTIN

    roots = [Path(templates)] if templates else []
    roots.append(BUILTIN)
    if config is not None and config.path:
        roots.append(Path(config.path).parent)
    return tuple(dict.fromkeys(r.resolve() for r in roots))


@dataclass(frozen=True)
class ImagePolicy:
    """What a template may show: files under ``roots``, and the user's own ``files``
    (the logo, wherever it is)."""

    roots: tuple[Path, ...]
    files: tuple[Path, ...] = ()

    @classmethod
    def of(cls, templates: str | Path | None, config=None, logo_path: str = "") -> ImagePolicy:
        return cls(allowed_roots(templates, config),
                   (Path(logo_path).resolve(),) if logo_path else ())

    def image(self, src: str, template: str) -> Picture:
        """The picture an ``<img src>`` of ``template`` names, relative to the template's
        folder, or a one-line refusal naming the template and the path."""
        label = f'<img src="{src}">'
        if not src.strip():
            raise KmcError(f"{label}：缺少圖檔路徑", template)
        if _URL.match(src):
            raise KmcError(f"{label}：圖檔只能是範本資料夾或設定檔資料夾中的檔案，"
                           "不可使用網址或 data: URI", template)
        path = Path(src)
        if not path.is_absolute():
            path = Path(template).parent / path
        try:
            real = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            raise KmcError(f"{label}：無法解析圖檔路徑", template) from None
        if real not in self.files and not any(real.is_relative_to(r) for r in self.roots):
            raise KmcError(f"{label}：圖檔不在範本資料夾或設定檔的資料夾內", template)
        return load_image(real, label, template)


def image_bytes(block) -> tuple[bytes, str]:
    """The checked bytes and format (PNG or JPEG) of a document's Image block; a block made in
    code without them is checked here."""
    if block.data:
        return block.data, block.format
    picture = load_image(block.path, f'<img src="{block.path}">')
    return picture.data, picture.format
