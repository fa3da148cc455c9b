"""The command line's grammar: the commands, their options and their help (argparse).

`command_line()` declares each command with the function in commands.py that runs it,
and one function per command adds its options, in the order its help lists them.
"""

from __future__ import annotations

import argparse

from briefings import __version__
from briefings.build.folder import FORMATS
from briefings.cli import commands

_TOKEN_HELP = (
    "BRIEFINGS_TOKEN, or one made at start and printed in the address. Open that address "
    "(?token=... sets a cookie for the pages after it), or send 'Authorization: token T'. "
    "Ctrl-C stops the server."
)


class _Parser(argparse.ArgumentParser):
    """A parser whose epilog may be a function, called only when its help is shown: the
    parameters' help reads the notebook, which no other use of the command line needs
    (a notebook that cannot be read then breaks neither --version nor validate)."""

    def format_help(self) -> str:
        if callable(self.epilog):
            self.epilog = self.epilog()
        return super().format_help()


def command_line() -> argparse.ArgumentParser:
    """The `briefings` parser: every command, each with its options."""
    parser = _Parser(
        prog="briefings", description="Build sourced timeline briefings from a dataset of events."
    )
    parser.add_argument("--version", action="version", version=f"briefings {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, run, help_: str, epilog=None) -> argparse.ArgumentParser:
        sub = subparsers.add_parser(
            name,
            help=help_,
            description=help_,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(run=run, command=name)
        return sub

    parameters = _parameters_help  # the notebook is read only if this help is shown
    _data_option(
        command("validate", commands.validate, "check a dataset against the dataset contract")
    )
    _states_options(
        command(
            "states", commands.states, "print the state table (one row per interval)", parameters
        )
    )
    _build_options(
        command(
            "build", commands.build, "build a briefing (HTML and PDF) and publish it", parameters
        )
    )
    _schedule_options(
        command(
            "schedule",
            commands.schedule,
            "build the scheduled briefings that are due or whose inputs changed",
        )
    )
    init = command(
        "init",
        commands.init,
        "start a new briefing project: dataset, notebook, schedule and README",
    )
    init.add_argument("dir", metavar="DIR", help="folder to create (new or empty)")
    _notify_options(
        command(
            "notify",
            commands.notify,
            "send a test message to a scheduled briefing's readers (notify:)",
        )
    )
    _serve_options(
        command(
            "serve",
            commands.serve,
            "serve the briefings on a local web server: the live index, a form that orders a "
            "view, and with --watch a preview that reloads on save",
            f"The server asks for a token: {_TOKEN_HELP}",
        )
    )
    _draft_options(
        command("draft", commands.draft, "propose dataset rows from a saved article (text or HTML)")
    )
    return parser


def _data_option(sub: argparse.ArgumentParser) -> None:
    from briefings.data.params import PARAMETERS

    sub.add_argument("--data", metavar="DIR", help=PARAMETERS["data_dir"][1])


def _param_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "-p",
        "--param",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="set a parameter (repeatable; the names are listed below)",
    )


def _states_options(states: argparse.ArgumentParser) -> None:
    _data_option(states)
    _param_options(states)
    states.add_argument(
        "--format", choices=("csv", "json"), default="csv", help="output format (default: csv)"
    )


def _build_options(build: argparse.ArgumentParser) -> None:
    _data_option(build)
    build.add_argument(
        "--params",
        dest="params_file",
        metavar="FILE",
        help="YAML file of parameters (-p values win over it)",
    )
    _param_options(build)
    build.add_argument(
        "--format",
        choices=(*FORMATS, "both"),
        help="what to write (default: both, HTML and PDF); a --preview writes html unless given",
    )
    where = build.add_mutually_exclusive_group()
    where.add_argument(
        "--out",
        metavar="DIR",
        help="publish here: a new name or a briefing published before (default: reports/<slug>)",
    )
    where.add_argument(
        "--preview",
        action="store_true",
        help="build into reports/<slug>.preview, leaving the published briefing alone",
    )
    build.add_argument(
        "--force", action="store_true", help="rebuild even when the inputs are unchanged"
    )
    build.add_argument("-q", "--quiet", action="store_true", help="print only the output paths")


def _schedule_options(schedule: argparse.ArgumentParser) -> None:
    schedule.add_argument("--spec", metavar="FILE", help="schedule file (default: briefings.yaml)")
    schedule.add_argument(
        "--now",
        type=_timestamp,
        metavar="ISO",
        help="decide as if at this time (UTC if no offset); not later than the clock "
        "unless --dry-run",
    )
    schedule.add_argument("--force", action="store_true", help="build every briefing")
    schedule.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="consider only this briefing (repeatable); the index still lists all",
    )
    schedule.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would be built and why; build and write nothing (any --now allowed)",
    )
    schedule.add_argument("--jobs", type=_positive, metavar="N", help="builds run in parallel")
    schedule.add_argument(
        "-q", "--quiet", action="store_true", help="print one summary line (for cron logs)"
    )


def _notify_options(notify: argparse.ArgumentParser) -> None:
    notify.add_argument(
        "--test", required=True, metavar="NAME", help="the briefing in the schedule file"
    )
    notify.add_argument("--spec", metavar="FILE", help="schedule file (default: briefings.yaml)")


def _serve_options(serve: argparse.ArgumentParser) -> None:
    from briefings.serve.views import DEFAULT_KEEP_VIEWS

    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=_port, default=8800, help="port to listen on (default: 8800; 0: a free one)"
    )
    serve.add_argument("--spec", metavar="FILE", help="schedule file (default: briefings.yaml)")
    serve.add_argument(
        "--watch",
        action="store_true",
        help="rebuild the preview when the notebook or its dataset is saved; open pages reload",
    )
    serve.add_argument(
        "--jobs", type=_positive, default=1, metavar="N", help="builds at once (default: 1)"
    )
    serve.add_argument(
        "--keep-views",
        type=_positive,
        default=DEFAULT_KEEP_VIEWS,
        metavar="N",
        help="views ordered from the form to keep, the oldest removed first "
        f"(default: {DEFAULT_KEEP_VIEWS})",
    )


def _draft_options(draft: argparse.ArgumentParser) -> None:
    _data_option(draft)
    draft.set_defaults(usage=draft)
    given = draft.add_mutually_exclusive_group(required=True)
    given.add_argument("article", nargs="?", metavar="ARTICLE", help="the saved article")
    given.add_argument("--accept", metavar="FILE", help="add an edited draft CSV to the dataset")
    draft.add_argument(
        "--published",
        metavar="YYYY-MM-DD",
        help="the publication date (wins over the article's own)",
    )
    draft.add_argument(
        "--format", choices=("table", "csv", "json"), help="default: table at a terminal, else csv"
    )
    draft.add_argument("--out", metavar="FILE", help="write the draft here, not to the terminal")


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0–65535; 0: any free)")
    return int(text)


def _timestamp(text: str):
    from datetime import datetime

    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not an ISO date-time (use e.g. 2026-01-05T06:00)"
        ) from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number ≥ 1")
    return int(text)


def _parameters_help() -> str:
    """Every parameter with its default, and where the notebook sets another (help text)."""
    from briefings.data.params import PARAMETERS, Parameters
    from briefings.exceptions import BriefingsError
    from briefings.inputs.parameters_cell import read_parameters_cell
    from briefings.paths import NOTEBOOK, project_root

    try:  # a malformed BRIEFINGS_ROOT is said by the commands that read it, not by the help
        saved = read_parameters_cell(project_root() / NOTEBOOK)
    except BriefingsError:
        saved = {}
    lines = [
        "parameters (-p NAME VALUE, or NAME: VALUE in a --params file); one not given keeps",
        f"the value in the parameters cell of {NOTEBOOK}, where empty text means the",
        "default below. Relative paths are taken from the folder you run the command in.",
    ]
    defaults = Parameters().as_dict()
    for name, (_kind, meaning) in PARAMETERS.items():
        lines.append(f"  {name:<16} {meaning}")
        if saved.get(name) not in (None, "", defaults[name]):
            lines.append(f"  {'':<16} (the notebook sets {saved[name]!r})")
    return "\n".join(lines)
