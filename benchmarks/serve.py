"""Time a view ordered from `briefings serve`'s form in Chromium, as a reader does it;
`make bench-serve`.

A fresh server (its own reports folder; the project's notebook and shipped dataset) is
started as a person starts it. In headless Chromium the reader opens /new with the token,
picks "as of" 30 June 2019 and submits; the clock runs from the click until the briefing
is shown in the view's page (its frame has loaded the briefing's title). Three orders:
the first view after the server started, a second, new view on the now warm server, and
the first view again (published: no build). Then the view's PDF is fetched at the address
a colleague would open. Nothing here is a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the tests' way of starting the server and Chromium

from conftest import headless_chromium  # noqa: E402
from serving import launched  # noqa: E402

SPEC = 'briefings:\n  weekly:\n    cron: "0 6 * * 1"\n    formats: [html]\n    params: {}\n'
BUILD_MS = 300_000


def order(page, url: str, as_of: str) -> tuple[float, str]:
    """Open the form, pick `as_of`, submit; seconds until the briefing is shown, and where."""
    page.goto(f"{url}new")
    page.fill("#field-as_of", as_of)
    started = time.perf_counter()
    page.click("button[type=submit]")
    frame = page.wait_for_selector("iframe.bs-briefing", timeout=BUILD_MS).content_frame()
    frame.wait_for_selector("h1", timeout=BUILD_MS)
    return time.perf_counter() - started, page.url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="1", help="the server's --jobs (default 1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefings-bench-serve-") as folder:
        spec = Path(folder) / "briefings.yaml"
        spec.write_text(SPEC, encoding="utf-8")
        command = [sys.executable, "-m", "briefings", "serve", "--port", "0"]
        command += ["--spec", str(spec), "--jobs", args.jobs]
        token = os.environ.get("BRIEFINGS_TOKEN", "bench-token-0123456789abcdef")
        with (
            launched(command, cwd=ROOT, env={"BRIEFINGS_TOKEN": token}) as server,
            headless_chromium() as browser,
        ):
            page = browser.new_page()
            page.goto(f"{server.url}?token={server.token}")  # the cookie for the pages after
            rows = [
                ("new view, first after start", *order(page, server.url, "2019-06-30")),
                ("new view, warm server", *order(page, server.url, "2019-12-31")),
                ("the first view again (published)", *order(page, server.url, "2019-06-30")),
            ]
            view = rows[0][2]
            colleague = browser.new_context().new_page()
            started = time.perf_counter()
            pdf = colleague.request.get(f"{view}/briefing.pdf?token={server.token}")
            body = pdf.body()
            fetched = time.perf_counter() - started
            assert pdf.ok and body.startswith(b"%PDF-"), pdf.status
    print(
        f"briefings serve, submit to briefing shown in Chromium ({platform.node()}, "
        f"{os.cpu_count()} cores, --jobs {args.jobs})"
    )
    for label, seconds, url in rows:
        print(f"  {label:<36} {seconds:6.1f} s   {url.split('?')[0]}")
    print(
        f"  {'its PDF, by a colleague with the token':<36} {fetched:6.2f} s   {len(body):,} bytes"
    )


if __name__ == "__main__":
    main()
