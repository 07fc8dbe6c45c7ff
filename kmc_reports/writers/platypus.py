"""reportlab's page layout (platypus) as the PDF writer uses it, imported without its
slowest start-up step.

Importing reportlab.platypus compiles a pattern for web addresses that only reportlab's
hyphenation of addresses uses, which is never on here.  Case-insensitive over Unicode's
whole first plane, it takes ≈25 ms, a sixth of a one-profile command.  While platypus is
imported here, that one pattern is left to compile when first used.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

_URI_PATTERN = "(^(?:[a-z0-9\\.\\-\\+]*)://)"  # how reportlab's uri_pat begins


class _OnFirstUse:
    """A compiled pattern, compiled when one of its methods is first wanted."""

    def __init__(self, pattern: str, flags: int):
        self._args, self._compiled = (pattern, flags), None

    def __getattr__(self, name: str):
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


@contextmanager
def _uri_pattern_deferred():
    compile_now = re.compile

    def compile(pattern, flags=0):
        if isinstance(pattern, str) and pattern.startswith(_URI_PATTERN):
            return _OnFirstUse(pattern, flags)
        return compile_now(pattern, flags)

    re.compile = compile
    try:
        yield
    finally:
        re.compile = compile_now


with _uri_pattern_deferred():
    from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Frame, Image,
                                    NextPageTemplate, PageBreak, PageTemplate, Paragraph,
                                    Spacer, Table, TableStyle)
    from reportlab.platypus.paragraph import (FragLine, ParaLines, _handleBulletWidth,
                                              cleanBlockQuotedText, imgNormV, imgVRange)

__all__ = ["BaseDocTemplate", "CondPageBreak", "Frame", "Image", "NextPageTemplate",
           "PageBreak", "PageTemplate", "Paragraph", "Spacer", "Table", "TableStyle",
           "FragLine", "ParaLines", "_handleBulletWidth", "cleanBlockQuotedText", "imgNormV",
           "imgVRange"]
