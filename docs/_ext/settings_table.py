"""The `briefings-settings` directive: the table of environment variables, made from
`briefings.settings.SETTINGS` when the site is built, so the page lists exactly what the
tool reads, with the ranges and defaults it enforces."""

from __future__ import annotations

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from briefings import settings


def allowed(setting: settings.Setting) -> str:
    """What a value may be, as the setting's reader checks it."""
    if isinstance(setting, settings.Number):
        return setting.allowed()
    if isinstance(setting, settings.Choice):
        return f"one of {', '.join(setting.choices)} (default {setting.default})"
    if isinstance(setting, settings.Token):
        return f"at least {setting.min_chars} letters, digits or `-._~`"
    if isinstance(setting, settings.Address):
        return "an `http://` or `https://` address"
    if isinstance(setting, settings.Folder):
        return "an existing folder"
    if isinstance(setting, settings.Text):
        return "text"
    # A new kind of setting: say here what its reader allows, or the site would guess.
    raise TypeError(f"{setting.name}: no description of what a {type(setting).__name__} allows")


class SettingsTable(SphinxDirective):
    """A Markdown table of every setting: variable, what it sets, what is allowed."""

    def run(self):
        rows = ["| variable | what it sets | allowed |", "|---|---|---|"]
        rows += [
            f"| `{s.name}` | {s.meaning} | {allowed(s)} |".replace("\n", " ")
            for s in settings.SETTINGS
        ]
        parsed = nodes.container()
        self.state.nested_parse(StringList(rows, source="briefings.settings"), 0, parsed)
        return parsed.children


def setup(app):
    app.add_directive("briefings-settings", SettingsTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
