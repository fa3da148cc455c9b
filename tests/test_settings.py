"""Settings from the environment: typed, bounded, read by the command that needs them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

from briefings import settings
from briefings.cli import main
from briefings.exceptions import ConfigError


@pytest.mark.parametrize(
    "setting, text, value",
    [
        (settings.CELL_TIMEOUT, None, 300),
        (settings.CELL_TIMEOUT, "  ", 300),
        (settings.CELL_TIMEOUT, " 45 ", 45),
        (settings.RENDER_TIMEOUT, "86400", 86400),
        (settings.SMTP_PORT, None, None),
        (settings.SMTP_PORT, "2525", 2525),
        (settings.NOTIFY_TIMEOUT, "0.5", 0.5),
        (settings.NOTIFY_TIMEOUT, None, 20),
        (settings.SMTP_SECURITY, "SSL", "ssl"),
        (settings.SMTP_SECURITY, "", "starttls"),
        (settings.SMTP_HOST, " mail.example.org ", "mail.example.org"),
        (settings.SMTP_PASSWORD, " secret ", " secret "),
        (settings.BASE_URL, "https://example.org/briefings/", "https://example.org/briefings"),
        (settings.BASE_URL, None, None),
    ],
)
def test_a_setting_reads_its_value_or_its_default(setting, text, value):
    environ = {} if text is None else {setting.name: text}
    assert setting.read(environ) == value


@pytest.mark.parametrize(
    "setting, text, allowed",
    [
        (settings.CELL_TIMEOUT, "abc", "a whole number of seconds from 1 to 86400"),
        (settings.CELL_TIMEOUT, "0", "a whole number of seconds from 1 to 86400"),
        (settings.CELL_TIMEOUT, "-5", "a whole number of seconds from 1 to 86400"),
        (settings.CELL_TIMEOUT, "2.5", "a whole number of seconds from 1 to 86400"),
        (settings.CELL_TIMEOUT, "1_000", "a whole number of seconds from 1 to 86400"),
        (settings.RENDER_TIMEOUT, "10000000000", "a whole number of seconds from 1 to 86400"),
        (settings.RENDER_TIMEOUT, "9" * 5000, "a whole number of seconds from 1 to 86400"),
        (settings.SMTP_PORT, "x", "a whole number from 1 to 65535"),
        (settings.SMTP_PORT, "70000", "a whole number from 1 to 65535"),
        (settings.NOTIFY_TIMEOUT, "inf", "a number of seconds from 0.1 to 3600"),
        (settings.NOTIFY_TIMEOUT, "nan", "a number of seconds from 0.1 to 3600"),
        (settings.NOTIFY_TIMEOUT, "1e9", "a number of seconds from 0.1 to 3600"),
        (settings.NOTIFY_ATTEMPTS, "1000", "a whole number of tries from 1 to 20"),
        (settings.MAIL_MAX_ATTACHMENT, "0", "a whole number of bytes from 1 to 1073741824"),
        (settings.SMTP_SECURITY, "tls", "one of none, starttls, ssl"),
        (settings.BASE_URL, "example.org/briefings", "an http:// or https:// address"),
        (settings.BASE_URL, "ftp://example.org", "an http:// or https:// address"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable_the_value_and_the_range(
    setting, text, allowed
):
    with pytest.raises(ConfigError) as raised:
        setting.read({setting.name: text})
    message = str(raised.value)
    assert message.startswith(f"{setting.name}='{text[:20]}")
    assert f" is not {allowed}" in message
    assert "\n" not in message and len(message) < 200


def test_a_root_that_is_not_a_folder_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"^BRIEFINGS_ROOT='.*/missing' is not a folder \("):
        settings.ROOT.read({"BRIEFINGS_ROOT": str(tmp_path / "missing")})
    assert settings.ROOT.read({"BRIEFINGS_ROOT": str(tmp_path)}) == tmp_path


def test_every_variable_the_package_names_is_declared_in_settings():
    """A new BRIEFINGS_ variable gets its type, range and error here, not where it is used."""
    named = set()
    for path in (PROJECT_ROOT / "src" / "briefings").rglob("*.py"):
        named |= set(re.findall(r"\bBRIEFINGS_[A-Z_]*[A-Z]\b", path.read_text(encoding="utf-8")))
    assert named <= {s.name for s in settings.SETTINGS}, named


def test_a_bad_timeout_fails_the_build_in_one_line_before_any_work(tmp_path, monkeypatch, capsys):
    """Issue 22 §13: a huge render timeout was an OverflowError after the notebook ran."""
    monkeypatch.setenv("BRIEFINGS_RENDER_TIMEOUT", "10000000000")
    out = tmp_path / "out"
    assert main(["build", "--out", str(out)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: BRIEFINGS_RENDER_TIMEOUT='10000000000' is not a whole number of seconds "
        "from 1 to 86400 (default 120 when unset)"
    ]
    assert not out.exists()


def test_a_bad_timeout_breaks_only_the_commands_that_read_it(monkeypatch, capsys):
    monkeypatch.setenv("BRIEFINGS_CELL_TIMEOUT", "abc")
    assert main(["schedule", "--dry-run", "--only", "year-2018"]) == 0
    assert "year-2018" in capsys.readouterr().out
    assert main(["build", "--force"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: BRIEFINGS_CELL_TIMEOUT='abc' is not a whole number of seconds from 1 to 86400 "
        "(default 300 when unset)"
    ]


def test_importing_the_package_reads_no_setting_and_no_project_file(tmp_path):
    """Every module imports with malformed settings, from a folder that is no project."""
    code = (
        "import importlib, pkgutil, briefings\n"
        "for module in pkgutil.walk_packages(briefings.__path__, 'briefings.'):\n"
        "    if not module.name.endswith('__main__'):\n"
        "        importlib.import_module(module.name)\n"
        "print('imported')\n"
    )
    bad = dict.fromkeys((s.name for s in settings.SETTINGS), "\x7fbad")
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**_environment(), **bad, "BRIEFINGS_ROOT": str(tmp_path / "missing")},
        check=False,
    )
    assert result.returncode == 0 and result.stdout == "imported\n", result.stderr
    assert not (tmp_path / "missing").exists() and list(tmp_path.iterdir()) == []


def test_the_package_keeps_nbformats_slow_optional_import_out():
    """_fastimport: nbformat's validator (jsonschema) would import rfc3987_syntax, whose
    grammar takes seconds to build; after `import briefings` it does not."""
    check = "import sys, nbformat; print(type(sys.modules.get('rfc3987_syntax')).__name__)"
    alone = _python(check)
    after_briefings = _python("import briefings; " + check)
    assert alone == "module\n"  # the import this guards against still happens without it
    assert after_briefings == "NoneType\n"


def _python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return result.stdout


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("BRIEFINGS_")}


def test_paths_follow_the_root_asked_for_at_call_time(tmp_path, monkeypatch):
    from briefings import paths

    (tmp_path / "data" / "b").mkdir(parents=True)
    (tmp_path / "data" / "b" / "dataset.yaml").write_text("id: b\n")
    (tmp_path / "data" / "a").mkdir()
    (tmp_path / "data" / "a" / "dataset.yaml").write_text("id: a\n")
    monkeypatch.setenv("BRIEFINGS_ROOT", str(tmp_path))
    assert paths.project_root() == tmp_path
    assert paths.default_dataset() == tmp_path / "data" / "a"
    assert paths.briefing_notebook() == tmp_path / "notebooks" / "briefing.ipynb"
    assert paths.reports_dir() == tmp_path / "reports"
    monkeypatch.delenv("BRIEFINGS_ROOT")
    assert paths.project_root() == Path(PROJECT_ROOT)
