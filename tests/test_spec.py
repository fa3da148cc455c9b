"""briefings.yaml: what a valid schedule gives, and one clear line per mistake."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from briefings.build.publish import DEFAULT_KEEP
from briefings.data.params import prepare
from briefings.data.states import compute_states
from briefings.exceptions import SpecError
from briefings.paths import schedule_spec
from briefings.schedule.rules import cron_problem as check_cron
from briefings.schedule.spec import load_spec

GOOD = """\
defaults:
  keep: 3
  params: {marking: TEST}
briefings:
  weekly:
    description: Every week.
    cron: "0 6 * * 1"
    params: {data_dir: small, start: 2020-01-01, end: 2020-12-31}
  daily-html:
    cron: "@daily"
    formats: [html]
    keep: 1
    output: reports/daily/html
"""


def write_spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "briefings.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_valid_spec_gives_checked_briefings_with_defaults(tmp_path):
    spec = load_spec(write_spec(tmp_path, GOOD))
    weekly, daily = spec.briefings
    assert spec.reports == tmp_path / "reports"
    assert weekly.name == "weekly" and weekly.cron == "0 6 * * 1"
    assert weekly.formats == ("html", "pdf") and weekly.keep == 3
    assert weekly.out == tmp_path / "reports" / "weekly"
    # data_dir is taken from the spec's folder, so the schedule works from any directory
    assert weekly.params["data_dir"] == str(tmp_path / "small")
    assert weekly.params["marking"] == "TEST"
    assert weekly.description == "Every week."
    assert daily.formats == ("html",) and daily.keep == 1
    assert daily.out == tmp_path / "reports" / "daily" / "html"


def test_keep_defaults_when_not_given(tmp_path):
    spec = load_spec(write_spec(tmp_path, 'briefings:\n  a:\n    cron: "@weekly"\n'))
    assert spec.briefings[0].keep == DEFAULT_KEEP


BAD = [
    (
        'briefings:\n  a-2019:\n    cron: "61 * * * *"\n',
        "briefings.yaml:3: briefing 'a-2019': key 'cron': '61 * * * *' is not a cron expression",
    ),
    (
        'briefings:\n  a:\n    cron: "0 6 * *"\n',
        "briefing 'a': key 'cron': '0 6 * *' is not a cron expression (use five fields",
    ),
    ("briefings:\n  a:\n    params: {}\n", "briefing 'a': key 'cron': is required"),
    (
        'briefings:\n  a:\n    cron: "@weekly"\n    colour: red\n',
        "briefings.yaml:4: briefing 'a': key 'colour': unknown key (allowed: description, cron,",
    ),
    ('schedule: {}\nbriefings:\n  a: {cron: "@daily"}\n', "unknown key 'schedule'"),
    ("defaults: {jobs: 2}\nbriefings:\n  a: {cron: '@daily'}\n", "defaults: unknown key 'jobs'"),
    (
        'briefings:\n  a:\n    cron: "@daily"\n    params: {colour: red}\n',
        "briefing 'a': key 'params': unknown parameter 'colour' (known: data_dir",
    ),
    (
        'briefings:\n  a:\n    cron: "@daily"\n    params: {start: 2019-02-30}\n',
        "briefing 'a': key 'params': parameter 'start': '2019-02-30' is not a date",
    ),
    (
        'briefings:\n  a:\n    cron: "@daily"\n    params: {previous_states: x.csv}\n',
        "briefing 'a': key 'params': parameter 'previous_states' is set by the scheduler",
    ),
    (
        'briefings:\n  a:\n    cron: "@daily"\n    formats: [html, docx]\n',
        "briefing 'a': key 'formats': ['html', 'docx'] is not a list of formats",
    ),
    (
        'briefings:\n  a:\n    cron: "@daily"\n    keep: 0\n',
        "briefing 'a': key 'keep': 0 is not a whole number ≥ 1",
    ),
    (
        'briefings:\n  Annual_2019:\n    cron: "@daily"\n',
        "briefing 'Annual_2019': the name must be lower-case letters, digits and hyphens",
    ),
    (
        'briefings:\n  a:\n    cron: "@daily"\n    output: reports/../../etc\n',
        "briefing 'a': key 'output': 'reports/../../etc' may hold only plain folder names",
    ),
    (
        'briefings:\n  a:\n    cron: "@daily"\n    output: /var/www/a\n',
        "briefing 'a': key 'output': '/var/www/a' is absolute",
    ),
    (
        'briefings:\n  a:\n    cron: "@daily"\n    output: src\n',
        "briefing 'a': key 'output': 'src' is not a folder inside reports/",
    ),
    (
        'briefings:\n  a:\n    cron: "@daily"\n  b:\n    cron: "@daily"\n    output: reports/a\n',
        "briefing 'b': key 'output':",
    ),
    # Outputs that would unpublish one another or replace what the runner writes.
    (
        'briefings:\n  a:\n    cron: "@daily"\n  b:\n    cron: "@daily"\n    output: reports/a/b\n',
        "briefings.yaml:6: briefing 'b': key 'output': 'reports/a/b' lies inside the output of "
        "briefing 'a' ('reports/a'); outputs must not contain one another",
    ),
    (
        'briefings:\n  a:\n    cron: "@daily"\n    output: reports/x/y/z\n'
        '  b:\n    cron: "@daily"\n    output: reports/x\n',
        "briefing 'a': key 'output': 'reports/x/y/z' lies inside the output of briefing 'b'",
    ),
    (
        'briefings:\n  a:\n    cron: "@daily"\n    output: reports/index.html\n',
        "briefing 'a': key 'output': 'reports/index.html' is the index the scheduler writes",
    ),
    (
        'briefings:\n  a:\n    cron: "@daily"\n    output: reports/feed.xml\n',
        "briefing 'a': key 'output': 'reports/feed.xml' is the feed the scheduler writes",
    ),
    (
        'briefings:\n  history:\n    cron: "@daily"\n',
        "briefing 'history': key 'output': 'reports/history' is the history of kept builds",
    ),
    (
        'briefings:\n  a:\n    cron: "@daily"\n    output: reports/history/a\n',
        "'reports/history/a' is inside the history of kept builds the scheduler writes",
    ),
    (
        'briefings:\n  views:\n    cron: "@daily"\n',
        "briefing 'views': key 'output': 'reports/views' is the folder of the views briefings "
        "serve publishes; choose another folder",
    ),
    (
        'briefings:\n  a:\n    cron: "@daily"\n    output: reports/views/a\n',
        "'reports/views/a' is inside the folder of the views briefings serve publishes",
    ),
    (
        'briefings:\n  a:\n    cron: "@daily"\n  b:\n    cron: "@daily"\n'
        "    output: reports/a.failed.ipynb\n",
        "briefing 'b': key 'output': 'reports/a.failed.ipynb' ends in .failed.ipynb",
    ),
    (
        'briefings:\n  a:\n    cron: "@daily"\n  b:\n    cron: "@daily"\n    output: reports/a\n',
        "briefing 'b': key 'output': 'reports/a' is also the output of briefing 'a'",
    ),
    (
        'briefings:\n  a: {cron: "@daily"}\n  a: {cron: "@weekly"}\n',
        "briefings.yaml:3: key 'a' is given twice in one mapping (first on line 2)",
    ),
    ("briefings:\n  a:\n    cron: */5 * * * *\n", "must be quoted"),
    ("briefings: []\n", "key 'briefings' is required"),
    ("- a\n- b\n", "must be a mapping"),
]


@pytest.mark.parametrize(("text", "expected"), BAD, ids=[e for _, e in BAD])
def test_each_mistake_is_one_line_naming_briefing_and_key(tmp_path, text, expected):
    with pytest.raises(SpecError) as caught:
        load_spec(write_spec(tmp_path, text))
    lines = caught.value.lines()
    assert any(expected in line for line in lines), lines
    assert all(line.startswith(str(tmp_path / "briefings.yaml")) for line in lines)


def test_outputs_side_by_side_or_nested_in_plain_folders_are_fine(tmp_path):
    text = (
        'briefings:\n  a:\n    cron: "@daily"\n    output: reports/x/a\n'
        '  b:\n    cron: "@daily"\n    output: reports/x/b\n'
        '  ab:\n    cron: "@daily"\n    output: reports/x/ab\n'
    )
    outputs = [b.out for b in load_spec(write_spec(tmp_path, text)).briefings]
    assert outputs == [tmp_path / "reports" / "x" / n for n in ("a", "b", "ab")]


def test_all_mistakes_are_reported_at_once(tmp_path):
    text = 'briefings:\n  a:\n    cron: "99 * * * *"\n    keep: -1\n  b:\n    formats: pdf\n'
    with pytest.raises(SpecError) as caught:
        load_spec(write_spec(tmp_path, text))
    assert len(caught.value.lines()) == 3  # a's cron and keep, b's missing cron


def test_a_missing_file_is_a_spec_error(tmp_path):
    with pytest.raises(SpecError, match="file is missing"):
        load_spec(tmp_path / "nowhere.yaml")


def test_yaml_tags_are_not_executed(tmp_path):
    text = "briefings: !!python/object/apply:os.system ['echo hi']\n"
    with pytest.raises(SpecError, match="malformed YAML"):
        load_spec(write_spec(tmp_path, text))


@pytest.mark.parametrize("expression", ["0 6 * * 1", "*/15 * * * *", "@monthly", "0 5 1 1 *"])
def test_good_cron_expressions(expression):
    assert check_cron(expression) is None


@pytest.mark.parametrize("expression", ["", "0 6 * * 1 2020", "0 0 30 2 *", "@reboot", 5])
def test_bad_cron_expressions(expression):
    assert "is not a cron expression" in check_cron(expression)


def test_the_shipped_schedule_is_valid_for_the_shipped_dataset():
    spec = load_spec(schedule_spec())
    names = [b.name for b in spec.briefings]
    assert len(names) == 13
    assert names[0] == "us-pakistan-2018-2023"
    assert [n for n in names if n.startswith("year-")] == [f"year-{y}" for y in range(2018, 2024)]
    as_known = [b for b in spec.briefings if b.name.startswith("as-known-")]
    assert [str(b.params["as_of"]) for b in as_known] == [f"{y}-12-31" for y in range(2018, 2024)]
    for briefing in spec.briefings:
        params, dataset = prepare(briefing.params, origin=briefing.origin)
        assert not compute_states(dataset, params).empty, briefing.name


def test_a_relative_spec_path_gives_absolute_folders(tmp_path, monkeypatch):
    """Papermill changes the working folder while the notebook runs: paths must not move."""
    write_spec(tmp_path, GOOD)
    monkeypatch.chdir(tmp_path)
    spec = load_spec(Path("briefings.yaml"))
    assert spec.reports == tmp_path / "reports"
    assert all(b.out.is_absolute() for b in spec.briefings)


def test_the_shipped_schedule_header_names_every_key_and_cites_pages_that_exist():
    """The comment a newcomer reads first: every key a briefing takes (notify was missing)
    and only documents that are there (it cited a README section that had gone)."""
    from briefings.schedule.spec import _BRIEFING_KEYS, _NOTIFY_KEYS

    path = schedule_spec()
    header = "\n".join(
        line.removeprefix("#").strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    )
    for key in (*_BRIEFING_KEYS, *_NOTIFY_KEYS):
        assert re.search(rf"\b{key}\b", header), key
    cited = re.findall(r"[\w./-]+\.md\b", header)
    assert cited, header
    for name in cited:
        assert (path.parent / name).is_file(), name
    assert "README" not in header
