"""Reading a YAML file of briefing parameters (`--params FILE`)."""

from __future__ import annotations

from pathlib import Path

from .exceptions import ParameterError, Problem, ProblemsError
from .yamlfile import load_yaml


def read_params_file(path: str | Path) -> dict[str, object]:
    """The mapping in a YAML params file; ParameterError if unreadable or not a mapping.

    Values are plain data, dates stay text: `coerce_parameters` types and checks them.
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ParameterError(
            [Problem(name, f"cannot read the params file ({error.strerror})")]
        ) from None
    except UnicodeDecodeError:
        raise ParameterError([Problem(name, "is not UTF-8 text")]) from None
    try:
        _, data = load_yaml(text, name)
    except ProblemsError as error:
        raise ParameterError(error.problems) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError([Problem(name, "must be a mapping of parameter names to values")])
    return {str(k): v for k, v in data.items()}
