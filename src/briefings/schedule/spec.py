"""Reading `briefings.yaml`: the named briefings a scheduler builds, checked before any build.

Each briefing has a cron expression, parameters, formats, an output folder and a history
count; `defaults` gives values every briefing takes unless it sets its own. Every problem
is reported at once, one line each naming the file, the briefing and the key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from briefings.build.folder import FORMATS
from briefings.build.publish import DEFAULT_KEEP, FAILED_SUFFIX, HISTORY, MAX_NAME
from briefings.data.params import OCCASION_PARAMETERS, coerce_parameters
from briefings.deliver.feed import FEED_FILE
from briefings.deliver.published import Catalogue, Publication
from briefings.deliver.readers import DEFAULT_WHEN, NOTIFY_WHEN, Notify, webhook_origin
from briefings.exceptions import ParameterError, Problem, ProblemsError, SpecError, quoted
from briefings.inputs.yamlfile import read_yaml_file, yaml_line
from briefings.paths import VIEWS
from briefings.schedule.rules import TOP_KEYS, briefing_problems, shape_problem

REPORTS = "reports"
# The runner writes the index (and the feed, FEED_FILE) in reports/: no briefing may be
# published over them.
INDEX_FILE = "index.html"

_PATH_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_DEFAULT_KEYS = ("cron", "formats", "keep", "params", "notify")
_BRIEFING_KEYS = ("description", "cron", "formats", "keep", "params", "output", "notify")
_NOTIFY_KEYS = ("email", "webhook", "when", "failed_email")
# Deliberately plain: one address, no display name, no list separators; the server decides.
_EMAIL = re.compile(r"[^@\s,;<>\"'()]+@[^@\s,;<>\"'()]+\.[^@\s,;<>\"'()]+")
_WEBHOOK = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)


@dataclass(frozen=True)
class ScheduledBriefing:
    """One briefing of the schedule file, checked; `params` are raw values for
    `build_briefing`. (The notebook API's `Briefing`, briefings.report.notebook, is another
    thing: the briefing's content as its notebook shows it.)"""

    name: str
    cron: str
    params: Mapping[str, object]
    formats: tuple[str, ...]
    out: Path
    keep: int
    description: str = ""
    origin: str = field(default="", compare=False)
    notify: Notify | None = None

    @property
    def publication(self) -> Publication:
        """The briefing as delivery sees it: name, output folder and title."""
        return Publication(self.name, self.out, str(self.params.get("title") or ""))


@dataclass(frozen=True)
class Spec:
    """A checked schedule file: where it is, where reports go, and its briefings in order."""

    path: Path
    reports: Path
    briefings: tuple[ScheduledBriefing, ...]

    @property
    def catalogue(self) -> Catalogue:
        """The schedule as the feed lists it."""
        return Catalogue(self.path, self.reports, tuple(b.publication for b in self.briefings))


def load_spec(path: str | Path) -> Spec:
    """Read and check a schedule file; raise SpecError with one line per problem.

    Relative paths in it (output folders, `data_dir`) are taken from the file's folder, so
    a schedule works from any working directory.
    """
    # Absolute: a build runs its notebook from the notebook's folder (papermill changes the
    # working folder meanwhile), so a relative output folder would be written elsewhere.
    path = Path(path).absolute()
    try:
        root, data = read_yaml_file(path)
    except ProblemsError as error:
        raise SpecError(error.problems) from None
    checker = _Checker(path, root)
    briefings = checker.check(data)
    if checker.problems:
        raise SpecError(checker.problems)
    return Spec(path=path, reports=path.parent / REPORTS, briefings=tuple(briefings))


def select(spec: Spec, names: Sequence[str]) -> tuple[ScheduledBriefing, ...]:
    """The briefings of `spec` named in `names`, in the spec's order; all of them when empty.

    Raises SpecError naming the unknown names and listing the known ones.
    """
    if not names:
        return spec.briefings
    known = [b.name for b in spec.briefings]
    unknown = [n for n in dict.fromkeys(names) if n not in known]
    if unknown:
        listed = ", ".join(f"'{n}'" for n in unknown)
        raise SpecError(
            [
                Problem(
                    str(spec.path),
                    f"no briefing named {listed} (the briefings are: {', '.join(known)})",
                )
            ]
        )
    return tuple(b for b in spec.briefings if b.name in names)


def _is_webhook(value: object) -> bool:
    """An http(s) URL (any case) whose host can be read, with no space in it."""
    return (
        isinstance(value, str)
        and bool(_WEBHOOK.fullmatch(value))
        and webhook_origin(value) is not None
    )


class _Checker:
    """Collects problems while turning the parsed YAML into briefings."""

    def __init__(self, path: Path, root: yaml.Node | None):
        self.path = path
        self.root = root
        self.problems: list[Problem] = []

    def report(self, keys: tuple[str, ...], message: str) -> None:
        self.problems.append(Problem(str(self.path), message, row=self.line(keys)))

    def line(self, keys: tuple[str, ...]) -> int | None:
        return yaml_line(self.root, keys)

    def check(self, data: object) -> list[ScheduledBriefing]:
        shape = shape_problem(data)
        if shape is not None and shape[0] == ():  # not a schedule at all
            self.report(*shape)
            return []
        for key in data:
            if key not in TOP_KEYS:
                self.report((str(key),), f"unknown key '{key}' (allowed: {', '.join(TOP_KEYS)})")
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, dict):
            self.report(("defaults",), "key 'defaults' must be a mapping")
            defaults = {}
        for key in defaults:
            if key not in _DEFAULT_KEYS:
                self.report(
                    ("defaults", str(key)),
                    f"defaults: unknown key '{key}' (allowed: {', '.join(_DEFAULT_KEYS)})",
                )
        if shape is not None:
            self.report(*shape)
            return []
        items = data["briefings"]
        briefings = [self.briefing(str(n), item, defaults) for n, item in items.items()]
        briefings = [b for b in briefings if b is not None]
        self.check_outputs(briefings)
        return briefings

    def briefing(self, name: str, item: object, defaults: dict) -> ScheduledBriefing | None:
        where = ("briefings", name)
        count = len(self.problems)

        def bad(key: str, message: str) -> None:
            keys = (*where, key) if key else where
            label = f"briefing '{name}': " + (f"key '{key}': " if key else "")
            self.report(keys, label + message)

        # Name, cron and description: the rules the Airflow DAG file applies too.
        for keys, message in briefing_problems(name, item, defaults):
            self.report(keys, message)
        if not isinstance(item, dict):
            return None
        for key in item:
            if key not in _BRIEFING_KEYS:
                bad(str(key), f"unknown key (allowed: {', '.join(_BRIEFING_KEYS)})")
        merged = {**defaults, **item}

        cron = merged.get("cron")
        formats = merged.get("formats", list(FORMATS))
        if isinstance(formats, str):
            formats = [formats]
        if not isinstance(formats, list) or not formats or any(f not in FORMATS for f in formats):
            bad(
                "formats",
                f"{quoted(formats)} is not a list of formats (use one or both of html, pdf)",
            )
            formats = list(FORMATS)

        keep = merged.get("keep", DEFAULT_KEEP)
        if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
            bad("keep", f"{quoted(keep)} is not a whole number ≥ 1 (how many builds to keep)")

        description = item.get("description", "")
        params = self.params(name, merged.get("params"), defaults.get("params"), bad)
        # The default, reports/<name>, is as good as the name (checked by the rules).
        out = self.path.parent / REPORTS / name
        if "output" in item:
            out = self.output(name, item["output"], bad)
        notify = self.notify(name, merged.get("notify"), "notify" in item)
        if len(self.problems) > count:
            return None
        return ScheduledBriefing(
            name=name,
            cron=cron.strip(),
            params=params,
            formats=tuple(f for f in FORMATS if f in formats),
            out=out,
            keep=keep,
            description=description.strip(),
            origin=f"{self.path}: briefing '{name}'",
            notify=notify,
        )

    def notify(self, name: str, value: object, own: bool) -> Notify | None:
        """The `notify:` block (the briefing's own, else the defaults'), checked."""
        if value is None:
            return None
        where = ("briefings", name, "notify") if own else ("defaults", "notify")
        count = len(self.problems)

        def bad(key: str, message: str) -> None:
            label = "notify" + (f".{key}" if key else "")
            self.report(
                (*where, key) if key else where, f"briefing '{name}': key '{label}': {message}"
            )

        if not isinstance(value, dict):
            bad("", f"must be a mapping with any of the keys {', '.join(_NOTIFY_KEYS)}")
            return None
        for key in value:
            if key not in _NOTIFY_KEYS:
                bad(str(key), f"unknown key (allowed: {', '.join(_NOTIFY_KEYS)})")
        email = self.addresses(value.get("email"), "email", bad)
        failed_email = self.addresses(value.get("failed_email"), "failed_email", bad)
        webhook = value.get("webhook")
        if webhook is not None and not _is_webhook(webhook):
            bad(
                "webhook",
                "is not an http:// or https:// URL with a host (not shown here: a "
                "webhook's URL holds its key)",
            )
            webhook = None
        when = value.get("when", list(DEFAULT_WHEN))
        if isinstance(when, str):
            when = [when]
        if not isinstance(when, list) or not when or any(w not in NOTIFY_WHEN for w in when):
            bad("when", f"{quoted(when)} is not a list of any of {', '.join(NOTIFY_WHEN)}")
            when = list(DEFAULT_WHEN)
        if not (email or failed_email or webhook) and len(self.problems) == count:
            bad("", "names nobody: give email, failed_email or webhook")
        if failed_email and "failed" not in when:
            bad("failed_email", "is set but 'when' does not include failed")
        return Notify(
            email=email,
            webhook=webhook,
            when=tuple(w for w in NOTIFY_WHEN if w in when),
            failed_email=failed_email,
        )

    @staticmethod
    def addresses(value: object, key: str, bad) -> tuple[str, ...]:
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            bad(key, f"{quoted(value)} is not a mail address or a list of them")
            return ()
        wrong = [a for a in items if not (isinstance(a, str) and _EMAIL.fullmatch(a.strip()))]
        if wrong:
            bad(key, f"{quoted(wrong[0])} is not a mail address (write name@example.org)")
            return ()
        return tuple(a.strip() for a in items)

    def params(self, name: str, own: object, shared: object, bad) -> dict[str, object]:
        raw: dict[str, object] = {}
        for key, value in (("defaults", shared), ("params", own)):
            if value is None:
                continue
            if not isinstance(value, dict):
                bad("params", f"{key}.params must be a mapping of parameter names to values")
                continue
            raw.update({str(k): v for k, v in value.items()})
        for occasion in OCCASION_PARAMETERS:
            if occasion in raw:
                bad("params", f"parameter '{occasion}' is set by the scheduler, not in the spec")
                del raw[occasion]
        try:
            coerce_parameters(raw, origin=f"{self.path}: briefing '{name}': key 'params'")
        except ParameterError as error:
            self.problems.extend(error.problems)
        if isinstance(raw.get("data_dir"), str) and raw["data_dir"].strip():
            raw["data_dir"] = str(self.path.parent / raw["data_dir"].strip())
        return raw

    def output(self, name: str, value: object, bad) -> Path:
        if not isinstance(value, str) or not value.strip():
            bad("output", f"{quoted(value)} is not a folder path")
            return self.path.parent
        relative = PurePosixPath(value.strip())
        if relative.is_absolute() or value.startswith("\\") or ":" in relative.parts[0]:
            bad("output", f"'{value}' is absolute; give a folder relative to {self.path.name}")
        elif any(not _PATH_PART.fullmatch(part) for part in relative.parts):
            bad(
                "output",
                f"'{value}' may hold only plain folder names (letters, digits, _ . -; "
                "no '..', no hidden folders)",
            )
        elif len(os.fsencode(relative.name)) > MAX_NAME:
            bad(
                "output",
                f"{quoted(value)} ends in a name of {len(os.fsencode(relative.name))} bytes; "
                f"at most {MAX_NAME} (the files made beside it must fit the file system)",
            )
        elif relative.parts[0] != REPORTS or len(relative.parts) < 2:
            # Publishing replaces the folder with a link; anywhere else it could be source.
            bad("output", f"'{value}' is not a folder inside {REPORTS}/ (e.g. {REPORTS}/{name})")
        return self.path.parent / relative

    def check_outputs(self, briefings: list[ScheduledBriefing]) -> None:
        """Refuse outputs that would unpublish each other or replace the runner's files.

        Publishing turns an output into a link to a build folder: an output inside
        another's would be written into that briefing's build (and lost at its next
        publish), and one over index.html or feed.xml would be overwritten every run.
        """
        reports = self.path.parent / REPORTS
        reserved = {
            reports / INDEX_FILE: "the index the scheduler writes",
            reports / FEED_FILE: "the feed the scheduler writes",
            reports / HISTORY: "the history of kept builds the scheduler writes",
            reports / VIEWS: "the folder of the views briefings serve publishes",
        }
        seen: dict[Path, str] = {}
        for briefing in briefings:

            def bad(message: str, briefing: ScheduledBriefing = briefing) -> None:
                self.report(
                    ("briefings", briefing.name, "output"),
                    f"briefing '{briefing.name}': key 'output': '{self._shown(briefing.out)}' "
                    + message,
                )

            within = [
                folder for folder in (HISTORY, VIEWS) if reports / folder in briefing.out.parents
            ]
            if briefing.out in reserved:
                bad(f"is {reserved[briefing.out]}; choose another folder")
            elif within:
                bad(f"is inside {reserved[reports / within[0]]}; choose another folder")
            elif briefing.out.name.endswith(FAILED_SUFFIX):
                bad(f"ends in {FAILED_SUFFIX}, the name of a failed build's notebook")
            other = seen.setdefault(briefing.out, briefing.name)
            if other != briefing.name:
                bad(f"is also the output of briefing '{other}'")
        for outer, outer_name in seen.items():
            for inner, inner_name in seen.items():
                if outer != inner and outer in inner.parents:
                    self.report(
                        ("briefings", inner_name, "output"),
                        f"briefing '{inner_name}': key 'output': '{self._shown(inner)}' lies "
                        f"inside the output of briefing '{outer_name}' ('{self._shown(outer)}'); "
                        "outputs must not contain one another",
                    )

    def _shown(self, out: Path) -> str:
        """An output as the file names it: relative to the file's folder."""
        return out.relative_to(self.path.parent).as_posix()
