"""Fail when a built HTML site loads anything from another host.

The documentation site must open offline and tell no third party who reads it: no script,
stylesheet, font, image or frame from elsewhere. This reads every .html and .css file under
a folder and lists each reference to another host in an element or rule that loads it
(`src`, `srcset`, `data` and `poster`; `href` of `<link>`; `url()` and `@import` in CSS and
`style`). Links a reader follows (`<a href>`) are allowed.

    python tools/check_site.py docs/_build/html    # exit 1, one line per remote asset
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

# Another host: an absolute http(s) URL or a scheme-relative one (//host/path).
REMOTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
LOADING_ATTRIBUTES = {"src", "srcset", "data", "poster"}
CSS_REMOTE = re.compile(
    r"""url\(\s*["']?\s*((?:https?:)?//[^"')\s]+)|@import\s+["']((?:https?:)?//[^"']+)""",
    re.IGNORECASE,
)


class _RemoteAssets(HTMLParser):
    """Collects (line, tag, attribute, URL) of each remote asset in one page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[int, str, str, str]] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        self._in_style = tag == "style"
        for name, value in attrs:
            value = value or ""
            loads = name in LOADING_ATTRIBUTES or (tag == "link" and name == "href")
            urls = value.split(",") if name == "srcset" else [value]
            if loads and any(REMOTE.match(url) for url in urls):
                self.found.append((line, tag, name, value))
            elif name == "style":
                self.found += [(line, tag, name, url) for url in css_remote_urls(value)]

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            line = self.getpos()[0]
            self.found += [(line, "style", "css", url) for url in css_remote_urls(data)]


def css_remote_urls(css: str) -> list[str]:
    """The remote URLs a stylesheet would load (url() and @import)."""
    return [first or second for first, second in CSS_REMOTE.findall(css)]


def remote_assets(site: Path) -> list[str]:
    """One line per remote asset in the site's HTML and CSS files: file:line, what, URL."""
    lines: list[str] = []
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            parser = _RemoteAssets()
            parser.feed(path.read_text(encoding="utf-8"))
            parser.close()
            lines += [
                f"{path}:{line}: <{tag} {name}> loads {url}"
                for line, tag, name, url in parser.found
            ]
        elif path.suffix == ".css":
            lines += [
                f"{path}: stylesheet loads {url}"
                for url in css_remote_urls(path.read_text(encoding="utf-8"))
            ]
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python tools/check_site.py SITE_FOLDER", file=sys.stderr)
        return 2
    found = remote_assets(Path(argv[0]))
    for line in found:
        print(f"error: {line}", file=sys.stderr)
    if found:
        print(
            f"{len(found)} asset(s) from another host: the site must load nothing remote",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
