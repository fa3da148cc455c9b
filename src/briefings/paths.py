"""Where the project's files are, built from the repository root (as in cookiecutter's config)."""

from __future__ import annotations

import os
from pathlib import Path

# src/briefings/paths.py -> the repository root; BRIEFINGS_ROOT overrides it for tests
# and for installs that keep data elsewhere.
PROJECT_ROOT = Path(os.environ.get("BRIEFINGS_ROOT") or Path(__file__).resolve().parents[2])
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DATASET = DATA_DIR / "us-pakistan"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
BRIEFING_NOTEBOOK = NOTEBOOKS_DIR / "briefing.ipynb"
REPORTS_DIR = PROJECT_ROOT / "reports"
SCHEDULE_SPEC = PROJECT_ROOT / "briefings.yaml"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# The files of a dataset folder, in the order they are hashed.
DATASET_FILES = ("dataset.yaml", "sources.csv", "events.csv")
