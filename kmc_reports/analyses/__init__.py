"""Analyses: work on the model only (lint, crosswalk, syllabus planning)."""
