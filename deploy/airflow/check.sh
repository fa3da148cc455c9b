#!/usr/bin/env bash
# `make airflow-check`: the DAG file under a real Airflow (.venv-airflow), with SQLite in a
# temporary AIRFLOW_HOME that is removed afterwards. One line per check; at the first that
# fails it prints why (and the end of Airflow's log) and exits 1. Builds go to a copy of
# the project in the temporary folder, so the analyst's reports/ is never touched.
set -euo pipefail
cd "$(dirname "$0")/../.."
project=$PWD
venv=$project/.venv-airflow/bin
work=$(mktemp -d "${TMPDIR:-/tmp}/briefings-airflow-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

export AIRFLOW_HOME=$work/airflow-home
export AIRFLOW__CORE__DAGS_FOLDER=$AIRFLOW_HOME/dags
export AIRFLOW__CORE__LOAD_EXAMPLES=False
unset BRIEFINGS_ROOT # the first checks find the project as a deployment would: by the link

step=0
check() { step=$((step + 1)); printf '%2d. %s ... ' "$step" "$1"; }
ok() { echo "ok${1:+ ($1)}"; }
fail() {
    echo "FAILED"
    echo "    $1" >&2
    if [[ -n ${2:-} && -s ${2:-} ]]; then
        echo "    last lines of $(basename "$2"):" >&2
        grep -v -e graphviz -e 'install the graphviz' "$2" | tail -n 25 | sed 's/^/    | /' >&2
    fi
    exit 1
}
airflow() { "$venv/airflow" "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# Airflow prints warnings on stdout too; its JSON answer is the line that starts with [.
json_of() { grep -m1 '^\[' "$1" || echo '[]'; }
# A small question to Python about JSON files, in Airflow's venv (it has no project code).
py() { "$venv/python" -c "$@"; }

[[ -x $venv/airflow ]] || fail "no Airflow in .venv-airflow: run make airflow-check"
[[ -x $project/.venv/bin/briefings ]] || fail "no project venv in .venv: run make venv"

check "Airflow in .venv-airflow"
ok "$(airflow version 2>/dev/null | tail -n1)"

check "database: airflow db migrate (SQLite in a temporary AIRFLOW_HOME)"
started=$(now)
airflow db migrate >"$work/migrate.log" 2>&1 || fail "airflow db migrate failed" "$work/migrate.log"
ok "$(since "$started") s"

# As docs/airflow.md says: link the DAG file into the dags folder.
mkdir -p "$AIRFLOW__CORE__DAGS_FOLDER"
ln -s "$project/deploy/airflow/briefings_dags.py" "$AIRFLOW__CORE__DAGS_FOLDER/"

check "no import errors (airflow dags list-import-errors)"
airflow dags list-import-errors --local -o json >"$work/errors.log" 2>&1 ||
    fail "airflow dags list-import-errors failed" "$work/errors.log"
json_of "$work/errors.log" >"$work/errors.json"
py 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != [])' "$work/errors.json" ||
    fail "import errors: $(cat "$work/errors.json")"
ok

check "one DAG per briefing of briefings.yaml, with its cron (airflow dags list)"
airflow dags list --local -o json --columns dag_id,timetable_summary \
    >"$work/list.log" 2>&1 || fail "airflow dags list failed" "$work/list.log"
json_of "$work/list.log" >"$work/dags.json"
# The project's own reader of the spec says what the DAGs must be.
"$project/.venv/bin/python" -c '
import json, sys
from briefings.schedule.spec import load_spec
spec = load_spec(sys.argv[1])
print(json.dumps({b.name: b.cron for b in spec.briefings}))' "$project/briefings.yaml" \
    >"$work/spec.json" || fail "briefings.yaml does not load in the project's venv"
py '
import json, sys
spec = json.load(open(sys.argv[1]))
dags = {d["dag_id"]: d["timetable_summary"] for d in json.load(open(sys.argv[2]))}
if sorted(dags) != sorted(spec):
    sys.exit(f"DAGs {sorted(dags)} are not the briefings {sorted(spec)}")
wrong = [n for n, cron in spec.items() if not cron.startswith("@") and dags[n] != cron]
if wrong:
    sys.exit("schedules differ from the spec for " + ", ".join(wrong))
print(len(dags))' "$work/spec.json" "$work/dags.json" >"$work/count" 2>&1 ||
    fail "$(cat "$work/count")"
ok "$(cat "$work/count") DAGs"

check "parse time of the DAG file (airflow dags report)"
airflow dags report -o json >"$work/report.log" 2>&1 || fail "airflow dags report failed" "$work/report.log"
json_of "$work/report.log" >"$work/report.json"
ok "$(py 'import json, sys; r = json.load(open(sys.argv[1]))[0]; print(r["duration"], "for", r["dag_num"], "DAGs")' "$work/report.json")"

# A copy of the project to build in: its own briefings.yaml, data and notebooks, and
# reports/; the project's venv is linked. BRIEFINGS_ROOT points the DAG file at it.
copy=$work/project
mkdir -p "$copy"
cp -R "$project/briefings.yaml" "$project/data" "$project/notebooks" "$copy/"
ln -s "$project/.venv" "$copy/.venv"
export BRIEFINGS_ROOT=$copy
name=$(py 'import json, sys; print(next(iter(json.load(open(sys.argv[1])))))' "$work/spec.json")
out=$copy/reports/$name
logical_date=$(date -u +%Y-%m-%dT00:00:00+00:00) # today's midnight: never in the future

check "airflow dags test $name $logical_date builds and publishes it"
started=$(now)
airflow dags test "$name" "$logical_date" >"$work/dags-test.log" 2>&1 ||
    fail "airflow dags test failed" "$work/dags-test.log"
took=$(since "$started")
grep -q "state=success" "$work/dags-test.log" || fail "the DAG run did not succeed" "$work/dags-test.log"
# The manifest is read as every reader reads it: through the project's build folder type.
"$project/.venv/bin/python" -c '
import sys
from datetime import datetime
from pathlib import Path
from briefings.build.folder import BuildFolder
manifest = BuildFolder(Path(sys.argv[1])).read_manifest()
if manifest is None:
    sys.exit(f"nothing published: no manifest in {sys.argv[1]}")
built_at, build_date = manifest.built_at, manifest.parameters.get("build_date")
if datetime.fromisoformat(built_at).timestamp() < float(sys.argv[2]) - 1:
    sys.exit(f"the published manifest is old: built at {built_at}")
if build_date != sys.argv[3][:10]:
    sys.exit(f"build date {build_date} is not the logical date {sys.argv[3]}")
' "$out" "$started" "$logical_date" >"$work/manifest.check" 2>&1 ||
    fail "$(cat "$work/manifest.check")" "$work/dags-test.log"
published=$(readlink "$copy/reports/$name")
ok "$took s; reports/$name -> $published, build date = logical date"

check "a failed build fails the task, says why, and keeps the published briefing"
events=$copy/data/us-pakistan/events.csv
printf 'not,a,dataset\n' >"$events"
airflow tasks test "$name" build "$logical_date" >"$work/tasks-test.log" 2>&1 || true
reason=$(grep -o "$name  *failed .*events\.csv[^[]*" "$work/tasks-test.log" | head -n1 || true)
[[ -n $reason ]] || fail "no failed build naming events.csv in the task log" "$work/tasks-test.log"
grep -q "Command exited with return code 1" "$work/tasks-test.log" ||
    fail "the task's command did not exit 1" "$work/tasks-test.log"
grep -q "Task failed" "$work/tasks-test.log" || fail "the task did not fail" "$work/tasks-test.log"
[[ $(readlink "$copy/reports/$name") == "$published" ]] ||
    fail "reports/$name no longer points at the last good build"
ok "${reason:0:150}…"

check "a broken briefings.yaml is an import error with the reason, and no DAGs"
"$project/.venv/bin/python" -c '
import sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))
first = next(iter(spec["briefings"].values()))
first["cron"] = "61 6 * * 1"
yaml.safe_dump(spec, open(sys.argv[2], "w"), sort_keys=False)' \
    "$project/briefings.yaml" "$copy/briefings.yaml"
# It exits 1 when it lists import errors; a crash prints no list.
airflow dags list-import-errors --local -o json >"$work/broken.log" 2>&1 || true
json_of "$work/broken.log" >"$work/broken.json"
expected="briefing '$name': key 'cron': '61 6 * * 1' is not a cron expression"
grep -qF "$expected" "$work/broken.json" || fail "no import error saying: $expected" "$work/broken.log"
airflow dags list --local -o json >"$work/broken-list.log" 2>&1 ||
    fail "airflow dags list crashed on a broken spec" "$work/broken-list.log"
[[ $(json_of "$work/broken-list.log") == "[]" ]] ||
    fail "DAGs were defined from a broken spec" "$work/broken-list.log"
ok "$(py 'import json, sys; print(json.load(open(sys.argv[1]))[0]["error"].splitlines()[-1].split("SpecProblem: ")[-1])' "$work/broken.json")"

echo "airflow-check: all $step checks passed"
