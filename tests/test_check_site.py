"""`make docs`'s last step (tools/check_site.py): a built site that loads a script, a
stylesheet, a font or an image from another host fails, naming the file and the URL; links a
reader follows, local files and data: URLs pass."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from conftest import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "tools" / "check_site.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("check_site", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_site = _load_script()

PAGE = """<!DOCTYPE html>
<html><head>
<link rel="stylesheet" href="_static/theme.css">
<script src="_static/theme.js"></script>
{head}
</head><body>
<a href="https://import-linter.readthedocs.io/">a link a reader follows</a>
<img src="data:image/png;base64,AAAA" alt="">
{body}
</body></html>
"""


def _site(tmp_path, head: str = "", body: str = "", css: str = ""):
    site = tmp_path / "html"
    (site / "_static").mkdir(parents=True)
    (site / "index.html").write_text(PAGE.format(head=head, body=body), encoding="utf-8")
    (site / "_static" / "theme.css").write_text("body { color: #222 }\n" + css, encoding="utf-8")
    return site


def _check(site) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, SCRIPT, site], capture_output=True, text=True, check=False
    )


def test_a_site_that_loads_only_its_own_files_passes(tmp_path):
    assert check_site.remote_assets(_site(tmp_path)) == []


@pytest.mark.parametrize(
    ("head", "body", "css", "url"),
    [
        ('<script src="https://cdn.example.org/analytics.js"></script>', "", "", "analytics.js"),
        ('<link rel="stylesheet" href="//fonts.example.org/lato.css">', "", "", "lato.css"),
        ('<link rel="preload" href="HTTP://fonts.example.org/l.woff2">', "", "", "l.woff2"),
        ("", '<img src="https://example.org/logo.png" alt="">', "", "logo.png"),
        ("", '<img srcset="logo.png 1x, https://example.org/logo@2x.png 2x" alt="">', "", "@2x"),
        ("", '<iframe src="https://example.org/embed"></iframe>', "", "embed"),
        ("", "<div style=\"background: url('https://example.org/bg.png')\"></div>", "", "bg.png"),
        ("<style>@import 'https://fonts.example.org/css2';</style>", "", "", "css2"),
        ("", "", '@font-face { src: url("https://fonts.example.org/f.woff2") }', "f.woff2"),
    ],
)
def test_an_asset_from_another_host_is_found_and_named(tmp_path, head, body, css, url):
    (found,) = check_site.remote_assets(_site(tmp_path, head, body, css))
    assert url in found
    assert ("theme.css" if css else "index.html") in found


def test_the_command_fails_with_one_line_per_remote_asset(tmp_path):
    head = '<script src="https://cdn.example.org/analytics.js"></script>'
    result = _check(_site(tmp_path, head, css='@import "https://fonts.example.org/css2";'))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2, result.stderr
    assert "2 asset(s) from another host" in result.stderr


def test_the_command_passes_a_clean_site_and_refuses_a_missing_folder(tmp_path, capsys):
    assert _check(_site(tmp_path)).returncode == 0
    assert check_site.main([str(tmp_path / "missing")]) == 2
    assert "usage" in capsys.readouterr().err
