"""Reading a YAML file of briefing parameters (`--params FILE`)."""

from __future__ import annotations

from pathlib import Path

from briefings.exceptions import ParameterError, Problem, ProblemsError
from briefings.inputs.yamlfile import read_yaml_file


def read_params_file(path: str | Path) -> dict[str, object]:
    """The mapping in a YAML params file; ParameterError if unreadable or not a mapping.

    Values are plain data, dates stay text: `coerce_parameters` types and checks them.
    """
    try:
        _, data = read_yaml_file(path)
    except ProblemsError as error:
        raise ParameterError(error.problems) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError([Problem(str(path), "must be a mapping of parameter names to values")])
    return {str(k): v for k, v in data.items()}
