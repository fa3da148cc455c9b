"""Starting a briefing project (`briefings init`): a folder another analyst builds from.

The files come from the package's `templates/project/`; its notebook is the repository's
own `notebooks/briefing.ipynb` (a symbolic link there, copied into the wheel), so a new
project starts from the very notebook the shipped briefing is built with.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from string import Template

from briefings.data.columns import EVENT_COLUMNS, SOURCE_COLUMNS
from briefings.exceptions import OutputError
from briefings.inputs.csvfile import csv_text
from briefings.paths import DATASET_FILE, EVENTS_FILE, PROJECT_FILE, PROJECT_TEMPLATE, SOURCES_FILE

# Template file -> where it goes in the project; `{id}` is the dataset's id.
LAYOUT = {
    "dataset.yaml": f"data/{{id}}/{DATASET_FILE}",
    PROJECT_FILE: PROJECT_FILE,
    "README.md": "README.md",
    "gitignore": ".gitignore",
    "notebooks/briefing.ipynb": "notebooks/briefing.ipynb",
}
_FILLED = ("dataset.yaml", PROJECT_FILE, "README.md")  # the others are copied as they are


def dataset_id(folder: Path) -> str:
    """The id a new project's dataset takes from the folder's name: lower case, words
    joined by hyphens (as briefing names in briefings.yaml must be)."""
    slug = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-")
    return slug or "briefing"


def init_project(folder: Path) -> list[Path]:
    """Create a briefing project in `folder` (new or empty); return the files made.

    The dataset has two example tracks and no sources or events yet (the CSV files hold
    their headers). Raises OutputError for a folder that is not empty, or not writable.
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "is not a folder" if not folder.is_dir() else "is not empty"
        raise OutputError(f"{folder}: {what}; give a new or empty folder for the project")
    ident = dataset_id(folder)
    name = folder.resolve().name
    title = f"{name}: a sourced timeline briefing"
    words = {"id": ident, "name": name, "title": json.dumps(title, ensure_ascii=False)}
    made = []
    try:
        for source, target in LAYOUT.items():
            path = folder / target.format(id=ident)
            path.parent.mkdir(parents=True, exist_ok=True)
            if source in _FILLED:
                text = (PROJECT_TEMPLATE / source).read_text(encoding="utf-8")
                path.write_text(Template(text).substitute(words), encoding="utf-8")
            else:
                shutil.copyfile(PROJECT_TEMPLATE / source, path)
            made.append(path)
        for name, columns in ((SOURCES_FILE, SOURCE_COLUMNS), (EVENTS_FILE, EVENT_COLUMNS)):
            path = folder / "data" / ident / name
            path.write_text(csv_text([columns]), encoding="utf-8", newline="")
            made.append(path)
    except OSError as error:
        raise OutputError(f"{folder}: cannot create the project: {error.strerror}") from None
    return made
