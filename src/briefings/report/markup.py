"""Markup from templates: plain data in, HTML out, every value escaped by Jinja2.

The package's Python code hands dataclasses and plain values to the templates under
`templates/` and never writes a tag itself; autoescaping is on for every template, so a
value from the data cannot become markup unless a template says so.
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from briefings.paths import TEMPLATES_DIR


def render(template: str, /, **context: object) -> str:
    """The named template (a path under `templates/`) rendered with `context`."""
    return _environment().get_template(template).render(**context)


def render_data(data: Any) -> str:
    """A dataclass rendered by the template its `template` class variable names; the
    template sees it as `section`."""
    return render(data.template, section=data)


def compile_all(folder: str) -> None:
    """Compile every template under `folder` now, for this process and its forks."""
    environment = _environment()
    for name in environment.list_templates(filter_func=lambda name: name.startswith(folder)):
        environment.get_template(name)


def thousands(number: int) -> str:
    """12345 -> '12,345'."""
    return f"{number:,}"


@functools.cache
def _environment() -> Environment:
    """One environment, kept: it compiles each template once per process."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        # A misspelt field fails the render instead of printing nothing.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    environment.filters["thousands"] = thousands
    return environment
