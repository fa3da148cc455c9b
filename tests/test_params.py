"""Parameters are typed and checked before any work, one clear line each."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from briefings.data.params import PARAMETERS, coerce_parameters, prepare, request_parameters
from briefings.data.states import compute_states, states_to_csv
from briefings.exceptions import BriefingsError, ParameterError
from briefings.paths import briefing_notebook

RANGE = "use a date from 1000-01-01 to 2999-12-31"


@pytest.mark.parametrize(
    "raw, expected",
    [
        (
            {"colour": "red"},
            "unknown parameter 'colour' (known: data_dir, start, end, as_of, tracks, "
            "min_reliability, title, marking, previous_states, build_date)",
        ),
        (
            {"start": "2018-02-30"},
            "parameter 'start': '2018-02-30' is not a date (use YYYY-MM-DD)",
        ),
        ({"as_of": "yesterday"}, "parameter 'as_of': 'yesterday' is not a date (use YYYY-MM-DD)"),
        (
            {"start": "2020-01-01", "end": "2019-01-01"},
            "parameter 'end': 2019-01-01 is not after start 2020-01-01",
        ),
        (
            {"min_reliability": "Z"},
            "parameter 'min_reliability': 'Z' is not a reliability grade (use one letter A–F)",
        ),
        ({"tracks": " , "}, "parameter 'tracks': ' , ' names no track"),
        # The ends of the calendar: margins around them would overflow in the kernel.
        (
            {"end": "9999-12-31"},
            f"parameter 'end': '9999-12-31' is outside the supported range ({RANGE})",
        ),
        (
            {"start": "0001-01-01"},
            f"parameter 'start': '0001-01-01' is outside the supported range ({RANGE})",
        ),
        (
            {"as_of": date(9999, 1, 1)},
            f"parameter 'as_of': '9999-01-01' is outside the supported range ({RANGE})",
        ),
        # Digits of other scripts are digits to Python's \d, not dates to us.
        ({"start": "٢٠١٩-٠١-٠١"}, "parameter 'start': '٢٠١٩-٠١-٠١' is not a date (use YYYY-MM-DD)"),
        (
            {"end": "２０２０-０１-０１"},
            "parameter 'end': '２０２０-０１-０１' is not a date (use YYYY-MM-DD)",
        ),
        (
            {"build_date": "2026-११-01"},
            "parameter 'build_date': '2026-११-01' is not a date (use YYYY-MM-DD)",
        ),
        ({"data_dir": ["a", "b"]}, "parameter 'data_dir': ['a', 'b'] is not a path"),
    ],
)
def test_bad_values_are_named(raw, expected):
    with pytest.raises(ParameterError) as caught:
        coerce_parameters(raw)
    assert caught.value.lines() == [expected]


def test_the_calendar_ends_inside_the_range_are_accepted():
    params = coerce_parameters({"start": "1000-01-01", "end": "2999-12-31"})
    assert (params.start, params.end) == (date(1000, 1, 1), date(2999, 12, 31))


def test_unknown_track_is_checked_against_the_dataset(small_dataset):
    with pytest.raises(
        ParameterError,
        match="'trade' is not a track of small "
        r"\(tracks: aid, mood\)",
    ):
        prepare({"data_dir": str(small_dataset), "tracks": "aid,trade"})


def test_defaults_come_from_the_dataset(small_dataset):
    params, _ = prepare({"data_dir": str(small_dataset), "start": "", "title": None})
    assert (params.start, params.end) == (date(2020, 1, 1), date(2021, 12, 31))
    assert params.title == "Small test relationship"
    assert params.tracks == ("aid", "mood")
    assert params.build_date is not None


def test_values_are_never_evaluated(small_dataset):
    params, _ = prepare({"data_dir": str(small_dataset), "title": "__import__('os').getcwd()"})
    assert params.title == "__import__('os').getcwd()"


def test_as_dict_round_trips(small_dataset):
    params, _ = prepare({"data_dir": str(small_dataset), "tracks": ["mood"], "as_of": "2021-01-01"})
    again, _ = prepare(params.as_dict())
    assert again == params


# --- paths: from the caller's working folder, handed on absolute ---------------------------


def test_relative_paths_are_taken_from_the_working_folder(small_dataset, monkeypatch):
    monkeypatch.chdir(small_dataset.parent)
    params, dataset = prepare({"data_dir": small_dataset.name})
    assert params.data_dir == small_dataset and dataset.path.is_absolute()
    assert coerce_parameters({"previous_states": "../x.csv"}).previous_states == (
        small_dataset.parent / ".." / "x.csv"
    )


def test_a_build_injects_only_what_its_caller_gave_absolute_and_typed(small_dataset, monkeypatch):
    monkeypatch.chdir(small_dataset.parent)
    raw = {"data_dir": small_dataset.name, "start": "2020-03-01", "title": "", "end": None}
    assert request_parameters(raw).injected() == {
        "data_dir": str(small_dataset),
        "start": "2020-03-01",
    }
    assert request_parameters({}).injected() == {}
    over_the_notebook = request_parameters(raw, notebook=briefing_notebook())
    assert over_the_notebook.injected() == request_parameters(raw).injected()
    assert over_the_notebook.given == ("data_dir", "start")


# --- the notebook's parameters cell holds the defaults ---------------------------------------


def notebook_with(folder: Path, source: str) -> Path:
    """A copy of the briefing notebook whose parameters cell is `source`."""
    notebook = json.loads(briefing_notebook().read_text(encoding="utf-8"))
    [cell] = [c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", [])]
    cell["source"] = source
    path = folder / "briefing.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def cell(**values: object) -> str:
    """A parameters cell that sets every parameter: empty, unless given."""
    return "\n".join(f"{name} = {values.get(name, '')!r}" for name in PARAMETERS)


def test_the_notebook_values_are_the_defaults_and_the_caller_wins(small_dataset, tmp_path):
    notebook = notebook_with(tmp_path, cell(start="2020-06-01", title="Saved title"))
    params, _ = prepare({"data_dir": str(small_dataset)}, notebook=notebook)
    assert (params.start, params.end, params.title) == (
        date(2020, 6, 1),
        date(2021, 12, 31),
        "Saved title",
    )
    given, _ = prepare({"data_dir": str(small_dataset), "title": "Given"}, notebook=notebook)
    assert (given.start, given.title) == (date(2020, 6, 1), "Given")


def test_a_relative_path_in_the_notebook_is_taken_from_its_folder(small_dataset):
    notebook = notebook_with(small_dataset.parent, cell(data_dir=small_dataset.name))
    params, dataset = prepare({}, notebook=notebook)
    assert params.data_dir == small_dataset and dataset.id == "small"


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            cell(start="2020-13-01"),
            "{nb}: parameters cell: parameter 'start': '2020-13-01' is not a date (use YYYY-MM-DD)",
        ),
        (
            cell(end="9999-12-31"),
            f"{{nb}}: parameters cell: parameter 'end': '9999-12-31' is outside the supported "
            f"range ({RANGE})",
        ),
        (
            cell(tracks="aid,trade"),
            "{nb}: parameters cell: parameter 'tracks': 'trade' is not a track of small "
            "(tracks: aid, mood)",
        ),
        (
            cell(start="2021-06-01", end="2021-01-01"),
            "{nb}: parameters cell: parameter 'end': 2021-01-01 is not after start 2021-06-01",
        ),
        (
            cell() + "\nstrat = '2019-01-01'",
            "{nb}: parameters cell: unknown parameter 'strat' (known: data_dir, start, end, "
            "as_of, tracks, min_reliability, title, marking, previous_states, build_date)",
        ),
        (
            cell().replace("start = ''", "start = '2019-' + '01-01'"),
            "{nb}: parameters cell: line 2: 'start' must be a plain value (text in quotes, a "
            "number or a list), not an expression",
        ),
        (
            cell() + "\nprint('hello')",
            "{nb}: parameters cell: line 11: only `name = value` lines belong here",
        ),
        (
            cell() + "\nstart = '2019-01-01",
            "{nb}: parameters cell: line 11: unterminated string literal (detected at line 11) "
            "(the cell must be valid Python)",
        ),
        (
            "\n".join(cell().splitlines()[:-2]),
            "{nb}: parameters cell: does not set previous_states, build_date (the cells below "
            'use every parameter; set it to "" for the default)',
        ),
    ],
)
def test_the_notebooks_own_values_are_checked_naming_it(small_dataset, tmp_path, source, expected):
    notebook = notebook_with(
        tmp_path, source.replace("data_dir = ''", f"data_dir = {str(small_dataset)!r}")
    )
    with pytest.raises(ParameterError) as caught:
        prepare({}, notebook=notebook)
    assert caught.value.lines() == [expected.format(nb=notebook)]


def test_the_callers_value_stands_in_for_a_bad_one_in_the_notebook_only_if_given(
    small_dataset, tmp_path
):
    notebook = notebook_with(tmp_path, cell(data_dir=str(small_dataset), start="2020-13-01"))
    with pytest.raises(ParameterError):
        prepare({"start": "2020-02-01"}, notebook=notebook)  # the notebook is still wrong


@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "{nb}: file is missing (the briefing notebook)"),
        ("{not json", "{nb}: is not a Jupyter notebook (not nbformat 4 JSON with a list of cells)"),
        (
            json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "source": "x = 1"}]}),
            "{nb}: no code cell is tagged 'parameters' (papermill's parameters cell holds the "
            "briefing's defaults; tag it in JupyterLab's property inspector)",
        ),
    ],
)
def test_an_unreadable_notebook_is_one_line(tmp_path, content, expected):
    notebook = tmp_path / "briefing.ipynb"
    if content is not None:
        notebook.write_text(content, encoding="utf-8")
    with pytest.raises(BriefingsError) as caught:
        prepare({}, notebook=notebook)
    assert caught.value.lines() == [expected.format(nb=notebook)]


# --- previous_states: a states.csv a build wrote, checked before the kernel --------------------


def test_a_real_previous_states_file_is_accepted(small_dataset, tmp_path):
    params, dataset = prepare({"data_dir": str(small_dataset)})
    previous = tmp_path / "states.csv"
    previous.write_text(states_to_csv(compute_states(dataset, params)), encoding="utf-8")
    again, _ = prepare({"data_dir": str(small_dataset), "previous_states": str(previous)})
    assert again.previous_states == previous


def test_a_missing_file_in_an_empty_folder_means_no_previous_build(small_dataset, tmp_path):
    """How the scheduler hands a first build its (absent) previous build."""
    previous = tmp_path / "empty" / "states.csv"
    previous.parent.mkdir()
    params, _ = prepare({"data_dir": str(small_dataset), "previous_states": str(previous)})
    assert params.previous_states == previous


HEADER = "track,state,start,end,start_precision,confirmed_until,contested,event_ids,source_ids\n"
GOOD_ROW = "aid,on,2020-01-01,,day,2020-03-01,False,e1,s1\n"


@pytest.mark.parametrize(
    "content, expected",
    [
        ("other", ["{f}: file is missing (previous_states names the states.csv of a build)"]),
        ("folder", ["{f}: is a folder, not a regular file"]),
        ("", ["{f}: file is empty"]),
        (
            "track;state;start\n",
            ["{f}:1: is separated by semicolons; save it with commas as the separator"],
        ),
        (
            "track,state,begin\naid,on,2020-01-01\n",
            [
                "{f}:1: missing column(s) 'start', 'end', 'start_precision', 'confirmed_until', "
                "'contested', 'event_ids', 'source_ids'; unknown column(s) 'begin' (the columns "
                "are: track,state,start,end,start_precision,confirmed_until,contested,event_ids,"
                "source_ids)"
            ],
        ),
        (
            HEADER
            + GOOD_ROW
            + "aid,off,2020-13-01,,weekly,,yes,e2,s1\n,on,2021-01-01,2021,day,,False,,\n",
            [
                "{f}:3: column 'start': '2020-13-01' is not a date (use YYYY-MM-DD)",
                "{f}:3: column 'start_precision': 'weekly' is not a precision "
                "(use day, month, year)",
                "{f}:3: column 'contested': 'yes' is not True or False",
                "{f}:4: column 'track': is required",
                "{f}:4: column 'end': '2021' is not a date (use YYYY-MM-DD)",
            ],
        ),
        (
            HEADER + "aid,on,2020-01-01\n",
            [
                "{f}:2: row has 3 fields but the header has 9 "
                "(quote any field that contains a comma)"
            ],
        ),
    ],
)
def test_a_wrong_previous_states_file_is_refused_before_the_kernel(
    small_dataset, tmp_path, content, expected
):
    previous = tmp_path / "states.csv"
    if content == "folder":
        previous.mkdir()
    elif content == "other":  # a typo in a build folder: its other files are there
        (tmp_path / "manifest.json").write_text("{}", encoding="utf-8")
    else:
        previous.write_text(content, encoding="utf-8")
    with pytest.raises(ParameterError) as caught:
        prepare({"data_dir": str(small_dataset), "previous_states": str(previous)})
    assert caught.value.lines() == [line.format(f=previous) for line in expected]


def test_no_module_of_the_data_layer_is_in_an_import_cycle():
    """params → previous_states → states → params ran through a lazy import once; grimp
    sees lazy imports too."""
    import grimp

    graph = grimp.build_graph("briefings", cache_dir=None)
    for module in sorted(graph.find_children("briefings.data")):
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            assert back is None, f"{module} imports {imported}, which imports it back: {back}"
