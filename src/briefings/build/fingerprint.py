"""Content hashes that decide whether a briefing must be rebuilt.

Nothing here imports pandas: a rebuild with unchanged inputs is answered from
`request_hash` before any frame is built (see build/builder.py).
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Iterable
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from briefings.data.params import OCCASION_PARAMETERS, Parameters, RequestedParameters
from briefings.exceptions import ProblemsError
from briefings.inputs.inputfile import files_hash
from briefings.paths import DATASET_FILES, PROJECT_TEMPLATE

if TYPE_CHECKING:  # imports pandas, which a cache hit never needs
    from briefings.data.dataset import Dataset

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # src/briefings: every module and template
# The distributions whose version can change a briefing's bytes: ours, the analysis and
# chart libraries, the notebook runner and converter, the templates and the PDF renderer.
OUTPUT_LIBRARIES = (
    "briefings",
    "pandas",
    "matplotlib",
    "papermill",
    "nbclient",
    "nbconvert",
    "jinja2",
    "markdown-it-py",
    "typst",
)


def inputs_hash(
    params: Parameters, dataset: Dataset, formats: Iterable[str], notebook: Path
) -> str:
    """Everything a briefing's facts depend on: data, notebook, our code, parameters.

    The occasion of a build (its date, the previous build it is compared with) is left
    out, so an unchanged briefing is not rebuilt just because a day passed.
    """
    settings = {k: v for k, v in params.as_dict().items() if k not in OCCASION_PARAMETERS}
    settings["data_dir"] = dataset.id  # where the data lives does not change it
    return _combined(
        dataset.content_hash(),
        files_hash([notebook]),
        code_hash(),
        json.dumps({"params": settings, "formats": sorted(formats)}, sort_keys=True),
    )


def code_hash() -> str:
    """The hash of the package's own files (code, templates) and of `library_versions()`,
    so upgrading a library that shapes the output rebuilds instead of serving the old
    briefing. The project template (`briefings init`) is left out: it shapes no briefing."""
    code = sorted(
        p
        for p in PACKAGE_DIR.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.is_relative_to(PROJECT_TEMPLATE)
    )
    return _combined(files_hash(code), json.dumps(library_versions(), sort_keys=True))


@cache
def library_versions() -> dict[str, str]:
    """Python's version and the installed versions of OUTPUT_LIBRARIES, read from their
    metadata without importing them (a cache hit never loads pandas)."""
    versions = {name: version(name) for name in OUTPUT_LIBRARIES}
    return {"python": platform.python_version(), **versions}


def request_hash(
    request: RequestedParameters, formats: Iterable[str], notebook: Path, out: Path
) -> str | None:
    """A build request, hashed without loading the dataset; None if a file is unreadable.

    It covers the checked parameters (the notebook's own and the caller's over them, and
    which were injected), the dataset's own files in the data folder (nothing else
    there), the notebook, the package's code, the formats and the output folder. A
    published build with an equal hash was made from the same bytes by the same code, so
    it passed the same checks and would come out the same: the cache can answer before
    pandas is even imported.
    """
    try:
        parts = (
            files_hash(request.params.data_dir / name for name in DATASET_FILES),
            files_hash([notebook]),
            code_hash(),
        )
    except ProblemsError:  # the full check says what is wrong, in the dataset's terms
        return None
    asked = {
        "params": request.params.as_dict(),
        "injected": sorted(request.given),
        "formats": sorted(formats),
        "out": str(out.absolute()),  # not resolved: a published folder is a symlink
    }
    return _combined(*parts, json.dumps(asked, sort_keys=True))


def _combined(*parts: str) -> str:
    """One sha256 over several hashes and texts, each kept apart from the next."""
    sha256 = hashlib.sha256()
    for part in parts:
        sha256.update(part.encode() + b"\0")
    return sha256.hexdigest()
