"""Where the project's files are, built from its root folder (as in cookiecutter's config)."""

from __future__ import annotations

import os
from pathlib import Path

# What marks a briefing project's folder: this repository's, or one `briefings init` made.
PROJECT_FILE = "briefings.yaml"


def find_project(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds a briefings.yaml, or None."""
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def _project_root() -> Path:
    """BRIEFINGS_ROOT if set; else the project the working folder is in (so an installed
    package serves the project it is run from, and a kernel started in notebooks/ finds
    its project); else the one the package sits in (this checkout, or a project holding
    the venv); else the working folder."""
    if os.environ.get("BRIEFINGS_ROOT"):
        return Path(os.environ["BRIEFINGS_ROOT"])
    package = Path(__file__).resolve().parent
    return find_project(Path.cwd()) or find_project(package) or Path.cwd()


def _default_dataset(data_dir: Path) -> Path:
    """The folder under data/ with a dataset.yaml (the first by name if there are several;
    `--data` names another)."""
    found = sorted(p.parent for p in data_dir.glob("*/dataset.yaml"))
    return found[0] if found else data_dir


PROJECT_ROOT = _project_root()
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DATASET = _default_dataset(DATA_DIR)
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
BRIEFING_NOTEBOOK = NOTEBOOKS_DIR / "briefing.ipynb"
REPORTS_DIR = PROJECT_ROOT / "reports"
SCHEDULE_SPEC = PROJECT_ROOT / PROJECT_FILE
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# What `briefings init` copies into a new project; its notebook links to BRIEFING_NOTEBOOK.
PROJECT_TEMPLATE = TEMPLATES_DIR / "project"
# The files of a dataset folder, in the order they are hashed.
DATASET_FILE, SOURCES_FILE, EVENTS_FILE = "dataset.yaml", "sources.csv", "events.csv"
DATASET_FILES = (DATASET_FILE, SOURCES_FILE, EVENTS_FILE)
