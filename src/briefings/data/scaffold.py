"""Starting a briefing project (`briefings init`): a folder another analyst builds from.

The files come from the package's `templates/project/`; its notebook is the repository's
own `notebooks/briefing.ipynb` (a symbolic link there, copied into the wheel), so a new
project starts from the very notebook the shipped briefing is built with.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import shutil
import sys
from importlib import metadata
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


def environment_words() -> dict[str, str]:
    """How the new project's README names this environment: the folder of the `briefings`
    that made it (it may not be on PATH), the kernel to register, and, when JupyterLab is
    not installed here, the lab extra's requirements to install (from this package's own
    metadata: `briefings[lab]` from the package index would be another project)."""
    python = Path(sys.executable)
    bin_folder = python.parent
    words = {
        "env": str(Path(sys.prefix)),
        "bin": str(bin_folder),
        "path_first": f'{shlex.quote(str(bin_folder))}:"$PATH"',
        "register_kernel": shlex.join(
            [str(python), "-m", "ipykernel", "install", "--sys-prefix", "--name", "briefings"]
        )
        + " --display-name 'Python (briefings)'",
        "jupyter": shlex.quote(str(bin_folder / "jupyter")),
        "lab_install": "",
    }
    if importlib.util.find_spec("jupyterlab") is None:
        wanted = [
            requirement.strip()
            for requirement, _, marker in (r.partition(";") for r in _requirements())
            if marker.replace(" ", "").replace("'", '"') == 'extra=="lab"'
        ]
        install = shlex.join([str(python), "-m", "pip", "install", *wanted])
        words["lab_install"] = (
            "JupyterLab is not installed beside this `briefings`; install the lab's\n"
            f"requirements into `{sys.prefix}` first (with pip, or `uv pip install --python\n"
            f"{python}` and the same list):\n\n```sh\n{install}\n```\n\n"
        )
    return words


def _requirements() -> list[str]:
    try:
        return metadata.requires("briefings") or []
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return []


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
    words |= environment_words()
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
