"""Where the project's files are, built from its root folder (as in cookiecutter's config).

The root is found when a command asks for a path, never at import: BRIEFINGS_ROOT and the
working folder are read then, so a kernel started in notebooks/ and a command run in
another project each find their own.
"""

from __future__ import annotations

from pathlib import Path

from briefings import settings

# What marks a briefing project's folder: this repository's, or one `briefings init` made.
PROJECT_FILE = "briefings.yaml"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# What `briefings init` copies into a new project; its notebook links to briefing_notebook().
PROJECT_TEMPLATE = TEMPLATES_DIR / "project"
# The notebook a build executes unless told another, within the project.
NOTEBOOK = Path("notebooks", "briefing.ipynb")
# The folder of reports/ where `briefings serve` publishes the views ordered from its form,
# apart from the scheduled briefings (no schedule may publish there).
VIEWS = "views"
# The files of a dataset folder, in the order they are hashed.
DATASET_FILE, SOURCES_FILE, EVENTS_FILE = "dataset.yaml", "sources.csv", "events.csv"
DATASET_FILES = (DATASET_FILE, SOURCES_FILE, EVENTS_FILE)


def find_project(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds a briefings.yaml, or None."""
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def project_root() -> Path:
    """BRIEFINGS_ROOT if set; else the project the working folder is in (so an installed
    package serves the project it is run from, and a kernel started in notebooks/ finds
    its project); else the one the package sits in (this checkout, or a project holding
    the venv); else the working folder."""
    root = settings.ROOT.read()
    if root is not None:
        return root
    package = Path(__file__).resolve().parent
    return find_project(Path.cwd()) or find_project(package) or Path.cwd()


def default_dataset() -> Path:
    """The folder under data/ with a dataset.yaml (the first by name if there are several;
    `--data` names another)."""
    data = project_root() / "data"
    found = sorted(p.parent for p in data.glob(f"*/{DATASET_FILE}"))
    return found[0] if found else data


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def briefing_notebook() -> Path:
    """The notebook a build executes, unless told another."""
    return project_root() / NOTEBOOK


def reports_dir() -> Path:
    """Where briefings are published: reports/<slug>."""
    return project_root() / "reports"


def schedule_spec() -> Path:
    """The schedule, briefings.yaml, at the project's root."""
    return project_root() / PROJECT_FILE
