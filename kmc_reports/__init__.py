"""kmc-reports: documents from Taiwan's iCAP occupational competency standards (職能基準)."""

__version__ = "0.1.0"
