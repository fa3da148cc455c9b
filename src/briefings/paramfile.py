"""Reading a YAML file of briefing parameters (`--params FILE`)."""

from __future__ import annotations

from pathlib import Path

import yaml

from .exceptions import ParameterError, Problem


def read_params_file(path: str | Path) -> dict[str, object]:
    """The mapping in a YAML params file; ParameterError if unreadable or not a mapping."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ParameterError(
            [Problem(name, f"cannot read the params file ({error.strerror})")]
        ) from None
    except UnicodeDecodeError:
        raise ParameterError([Problem(name, "is not UTF-8 text")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ParameterError(
            [
                Problem(
                    name,
                    f"malformed YAML: {getattr(error, 'problem', error)}",
                    row=None if mark is None else mark.line + 1,
                )
            ]
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError([Problem(name, "must be a mapping of parameter names to values")])
    return {str(k): v for k, v in data.items()}
