"""The `briefings` command: parse arguments, call the library, map errors to exit codes.

Exit 0 on success, 1 when the input is wrong (one line per problem), 2 on usage errors.
Heavy libraries are imported inside each command so `briefings --help` starts fast.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence

from briefings import __version__, settings
from briefings.build.folder import FORMATS
from briefings.exceptions import BriefingsError, OutputError, ParameterError, Problem, quoted

EXIT_INPUT = 1
EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        _check_arguments(args)
        code = args.run(args)
        sys.stdout.flush()  # a full or closed output fails here, not after the exit code
        return code
    except BriefingsError as error:
        for line in error.lines():
            print(f"error: {line}", file=sys.stderr)
        return EXIT_INPUT
    except (OSError, UnicodeEncodeError) as error:
        print(f"error: {_os_error(error)}", file=sys.stderr)
        _drop_stdout()
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if argv is None:  # the console script: the process ends next
            # Spares the interpreter a last garbage collection over everything pandas,
            # nbconvert and WeasyPrint loaded: about 0.3 s at the end of a build. Not when
            # called with arguments (tests), where later garbage must still be collected.
            gc.freeze()


def _check_arguments(args: argparse.Namespace) -> None:
    """Refuse, before any work, what could only fail later: text that is not UTF-8 (bytes
    of another encoding arrive as lone surrogates) and an output that is closed."""
    given = [
        (f"--{option}", value) for option, value in vars(args).items() if isinstance(value, str)
    ]
    for name, value in getattr(args, "param", None) or ():
        given += [("a parameter name", name), (f"parameter '{name}'", value)]
    for where, text in given:
        if not _is_utf8(text):
            bad = ord(next(c for c in text if not _is_utf8(c)))
            shown = f"byte 0x{bad - 0xDC00:02x}" if 0xDC80 <= bad <= 0xDCFF else f"U+{bad:04X}"
            raise ParameterError(
                [Problem(where, f"{quoted(text)} is not UTF-8 text ({shown}); use UTF-8 names")]
            )
    if sys.stdout is None:
        raise OutputError("standard output is closed; give the command somewhere to print")


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _os_error(error: OSError | UnicodeEncodeError) -> str:
    """One line for an error of the operating system, naming the file when there is one."""
    if isinstance(error, UnicodeEncodeError):
        return (
            f"cannot print the output in this terminal's encoding ({error.encoding}); "
            "use a UTF-8 locale or set PYTHONIOENCODING=utf-8"
        )
    where = error.filename if error.filename is not None else "standard output"
    return f"{where}: cannot write ({error.strerror or type(error).__name__})"


def _drop_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush of what could
    not be written raises no second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def _requested(args: argparse.Namespace) -> tuple[dict[str, object], dict[str, str]]:
    """The parameters asked for, and where each came from (its mistakes name that):
    --params FILE, then -p NAME VALUE and --data, which win."""
    raw: dict[str, object] = {}
    origins: dict[str, str] = {}
    if getattr(args, "params_file", None):
        from briefings.inputs.paramfile import read_params_file

        values = read_params_file(args.params_file)
        raw.update(values)
        origins.update(dict.fromkeys(values, args.params_file))
    given = list(getattr(args, "param", None) or ())
    if args.data:
        given.append(("data_dir", args.data))
    for name, value in given:
        raw[name] = value
        origins[name] = ""  # the command line: the message alone
    return raw, origins


def _validate(args: argparse.Namespace) -> int:
    from briefings.data.dataset import load_dataset
    from briefings.paths import default_dataset

    dataset = load_dataset(args.data or default_dataset())
    print(
        f"{dataset.path}: valid – {len(dataset.tracks)} tracks, {len(dataset.events)} events, "
        f"{len(dataset.sources)} sources"
    )
    return 0


def _states(args: argparse.Namespace) -> int:
    from briefings.data.params import prepare
    from briefings.data.states import compute_states, states_to_csv, states_to_json
    from briefings.paths import briefing_notebook

    # The notebook's parameters cell holds the defaults, as for a build.
    raw, origins = _requested(args)
    params, dataset = prepare(raw, origin=origins, notebook=briefing_notebook())
    table = compute_states(dataset, params)
    sys.stdout.write(states_to_json(table) if args.format == "json" else states_to_csv(table))
    return 0


def _build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from briefings.build.builder import build_briefing

    # A preview is a quick look: HTML only unless a format is asked for.
    chosen = args.format or ("html" if args.preview else "both")
    formats = FORMATS if chosen == "both" else (chosen,)
    raw, origins = _requested(args)
    result = build_briefing(
        raw,
        formats=formats,
        out=Path(args.out) if args.out else None,
        force=args.force,
        progress=None if args.quiet else _progress,
        origin=origins,
        preview=args.preview,
    )
    if not args.quiet:
        if result.cached:
            done = (
                f"briefing unchanged since its build at {result.manifest.built_at}, in "
                f"{result.out_dir}/ (inputs identical; --force rebuilds)"
            )
        else:
            total = result.manifest.timings.get("total", 0)
            done = f"briefing built in {result.out_dir}/ ({total:.1f} s)"
        print(done, file=sys.stderr)
    for path in result.files():
        if path.suffix in (".html", ".pdf"):
            print(path)
    return 0


def _schedule(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from briefings.paths import schedule_spec
    from briefings.schedule.console import (
        RunConsole,
        failed_deliveries,
        format_summary,
        summary_line,
    )
    from briefings.schedule.runner import DEFAULT_JOBS, exit_status, run_schedule
    from briefings.schedule.status import FAILED

    with RunConsole(sys.stderr, live=False if args.quiet else None) as console:
        outcomes = run_schedule(
            args.spec or schedule_spec(),
            now=args.now or datetime.now(UTC),
            force=args.force,
            only=args.only or (),
            dry_run=args.dry_run,
            jobs=args.jobs or DEFAULT_JOBS,
            progress=None if args.quiet else console,
        )
    if args.quiet:  # one line, and each failure on its own line for the log
        sys.stdout.write(summary_line(outcomes) + "\n")
        for outcome in outcomes:
            if outcome.status == FAILED:
                print(f"error: briefing '{outcome.name}': {outcome.reason}", file=sys.stderr)
        for line in failed_deliveries(outcomes):
            print(f"warning: {line}", file=sys.stderr)
    else:
        sys.stdout.write(format_summary(outcomes))
    if args.dry_run and not args.quiet:
        print("dry run: nothing was built or written", file=sys.stderr)
    return exit_status(outcomes)


def _init(args: argparse.Namespace) -> int:
    import shlex
    from pathlib import Path

    from briefings.data.scaffold import init_project

    folder = Path(args.dir)
    for path in init_project(folder):
        print(path)
    print(
        f"briefing project created in {folder}/; next steps are in its README.md "
        f"(start with: cd {shlex.quote(str(folder))} && briefings validate)",
        file=sys.stderr,
    )
    return 0


def _notify(args: argparse.Namespace) -> int:
    from briefings.paths import schedule_spec
    from briefings.schedule.console import delivery_line
    from briefings.schedule.notices import test_notification

    results = test_notification(args.spec or schedule_spec(), args.test)
    for result in results:
        print(delivery_line(result), file=sys.stdout if result.status == "sent" else sys.stderr)
    return 0 if all(r.status == "sent" for r in results) else EXIT_INPUT


def _serve(args: argparse.Namespace) -> int:
    import asyncio
    from datetime import UTC, datetime

    from briefings.paths import schedule_spec
    from briefings.schedule.index import render_index
    from briefings.schedule.spec import load_spec
    from briefings.serve.app import ServeOptions, serve
    from briefings.serve.auth import is_loopback, make_token

    spec_path = args.spec or schedule_spec()
    spec = load_spec(spec_path)  # a broken schedule is one line now, not a broken page later

    def index(template: str) -> str:
        return render_index(load_spec(spec_path), now=datetime.now(UTC), template=template)

    token = settings.TOKEN.read() or make_token()
    if not is_loopback(args.host):
        print(
            f"warning: listening on {args.host}, not only this machine: the token is then the "
            "only guard, and it travels unencrypted (no TLS); prefer 127.0.0.1 behind an "
            "SSH tunnel or a TLS proxy",
            file=sys.stderr,
        )
    options = ServeOptions(
        reports=spec.reports,
        index=index,
        token=token,
        host=args.host,
        port=args.port,
        jobs=args.jobs,
        keep_views=args.keep_views,
        watch=args.watch,
    )
    asyncio.run(serve(options, say=_progress))
    return 0


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0–65535; 0: any free)")
    return int(text)


def _draft(args: argparse.Namespace) -> int:
    from briefings.paths import default_dataset

    data_dir = args.data or default_dataset()
    if args.accept:
        from briefings.draft.accept import accept_draft

        if args.published or args.format or args.out:
            args.usage.error("--accept takes only --data")
        print(accept_draft(args.accept, data_dir).summary(data_dir))
        return 0
    from briefings.draft import output
    from briefings.draft.drafting import draft_article, given_date

    published = given_date(args.published)
    draft = draft_article(args.article, data_dir, published)
    chosen = args.format or output.default_format(args.out, sys.stdout.isatty())
    for line in output.remarks(draft, chosen, published):
        print(line, file=sys.stderr)
    if args.out:
        from pathlib import Path

        from briefings.inputs.nofollow import write_atomic

        write_atomic(Path(args.out), output.render(draft, chosen))
        print(f"{len(draft.events)} candidate event(s) written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(output.render(draft, chosen))
    return 0


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


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefings", description="Build sourced timeline briefings from a dataset of events."
    )
    parser.add_argument("--version", action="version", version=f"briefings {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, run, help_: str, epilog: str | None = None) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help_,
            description=help_,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(run=run, command=name)
        return sub

    def data_option(sub: argparse.ArgumentParser) -> None:
        from briefings.data.params import PARAMETERS

        sub.add_argument("--data", metavar="DIR", help=PARAMETERS["data_dir"][1])

    def param_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "-p",
            "--param",
            nargs=2,
            action="append",
            metavar=("NAME", "VALUE"),
            help="set a parameter (repeatable; the names are listed below)",
        )

    validate = command("validate", _validate, "check a dataset against the dataset contract")
    data_option(validate)

    parameters = _parameters_help()
    states = command("states", _states, "print the state table (one row per interval)", parameters)
    data_option(states)
    param_options(states)
    states.add_argument(
        "--format", choices=("csv", "json"), default="csv", help="output format (default: csv)"
    )

    build = command("build", _build, "build a briefing (HTML and PDF) and publish it", parameters)
    data_option(build)
    build.add_argument(
        "--params",
        dest="params_file",
        metavar="FILE",
        help="YAML file of parameters (-p values win over it)",
    )
    param_options(build)
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

    schedule = command(
        "schedule", _schedule, "build the scheduled briefings that are due or whose inputs changed"
    )
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

    init = command(
        "init", _init, "start a new briefing project: dataset, notebook, schedule and README"
    )
    init.add_argument("dir", metavar="DIR", help="folder to create (new or empty)")

    notify = command(
        "notify", _notify, "send a test message to a scheduled briefing's readers (notify:)"
    )
    notify.add_argument(
        "--test", required=True, metavar="NAME", help="the briefing in the schedule file"
    )
    notify.add_argument("--spec", metavar="FILE", help="schedule file (default: briefings.yaml)")

    from briefings.serve.views import DEFAULT_KEEP_VIEWS

    serve = command(
        "serve",
        _serve,
        "serve the briefings on a local web server: the live index, a form that orders a "
        "view, and with --watch a preview that reloads on save",
        f"The server asks for a token: {_TOKEN_HELP}",
    )
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
    draft = command("draft", _draft, "propose dataset rows from a saved article (text or HTML)")
    data_option(draft)
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
    return parser


_TOKEN_HELP = (
    "BRIEFINGS_TOKEN, or one made at start and printed in the address. Open that address "
    "(?token=... sets a cookie for the pages after it), or send 'Authorization: token T'. "
    "Ctrl-C stops the server."
)
