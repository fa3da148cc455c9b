"""What each command does: the functions the parser hands the parsed arguments to.

Each returns the command's exit status; a mistake in the input is raised as a
BriefingsError, which `main` prints in one line. Heavy libraries are imported inside the
command, so `briefings --help` and a build answered from the cache start fast.
"""

from __future__ import annotations

import argparse
import sys

from briefings import settings
from briefings.build.folder import FORMATS

EXIT_INPUT = 1  # the input is wrong: one line per problem
EXIT_USAGE = 2  # the command line is wrong (argparse's own status)


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


def validate(args: argparse.Namespace) -> int:
    from briefings.data.dataset import load_dataset
    from briefings.paths import default_dataset

    dataset = load_dataset(args.data or default_dataset())
    print(
        f"{dataset.path}: valid – {len(dataset.tracks)} tracks, {len(dataset.events)} events, "
        f"{len(dataset.sources)} sources"
    )
    return 0


def states(args: argparse.Namespace) -> int:
    from briefings.data.params import prepare
    from briefings.data.states import compute_states, states_to_csv, states_to_json
    from briefings.paths import briefing_notebook

    # The notebook's parameters cell holds the defaults, as for a build.
    raw, origins = _requested(args)
    params, dataset = prepare(raw, origin=origins, notebook=briefing_notebook())
    table = compute_states(dataset, params)
    sys.stdout.write(states_to_json(table) if args.format == "json" else states_to_csv(table))
    return 0


def build(args: argparse.Namespace) -> int:
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
        progress=None if args.quiet else progress,
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


def schedule(args: argparse.Namespace) -> int:
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
        sys.stdout.write(summary_line(outcomes, dry_run=args.dry_run) + "\n")
        for outcome in outcomes:
            if outcome.status == FAILED:
                print(f"error: briefing '{outcome.name}': {outcome.reason}", file=sys.stderr)
        for line in failed_deliveries(outcomes):
            print(f"warning: {line}", file=sys.stderr)
    else:
        sys.stdout.write(format_summary(outcomes, dry_run=args.dry_run))
    if args.dry_run and not args.quiet:
        print("dry run: nothing was built or written", file=sys.stderr)
    return exit_status(outcomes)


def init(args: argparse.Namespace) -> int:
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


def notify(args: argparse.Namespace) -> int:
    from briefings.paths import schedule_spec
    from briefings.schedule.console import delivery_line
    from briefings.schedule.notices import test_notification

    results = test_notification(args.spec or schedule_spec(), args.test)
    for result in results:
        print(delivery_line(result), file=sys.stdout if result.status == "sent" else sys.stderr)
    return 0 if all(r.status == "sent" for r in results) else EXIT_INPUT


def serve(args: argparse.Namespace) -> int:
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
    asyncio.run(serve(options, say=progress))
    return 0


def draft(args: argparse.Namespace) -> int:
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


def progress(message: str) -> None:
    """A progress line, on standard error (standard output is for paths and tables)."""
    print(f"  {message}", file=sys.stderr, flush=True)
