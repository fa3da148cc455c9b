"""`reports/feed.xml`: an Atom feed (RFC 4287) of the published builds of a schedule.

One entry per kept build of every briefing, newest first: the briefing's title and build
time, the first sentence of its bottom line, and links to its HTML and PDF. Readers
subscribe in any feed reader instead of by mail. Links are absolute under
`BRIEFINGS_BASE_URL` when it is set, else relative to the feed (RFC 4287 allows
relative references; a reader resolves them against where it fetched the feed).
The XML is serialised by ElementTree, which escapes every text and attribute; control
characters, which it would write as they are, are left out first.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from briefings.build.folder import BuildFolder, Manifest
from briefings.build.publish import history_dir
from briefings.data.moments import EARLIEST, as_utc
from briefings.deliver.published import Catalogue, builds
from briefings.inputs.nofollow import write_atomic
from briefings.inputs.text import printable
from briefings.report.digest import first_sentence

FEED_FILE = "feed.xml"  # in reports/, beside the index
ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 100  # readers poll the feed; a long history belongs in the index
# The index's labels for a build's files, as Atom link relations and media types.
_KINDS = {"HTML": ("alternate", "text/html"), "PDF": ("enclosure", "application/pdf")}


@dataclass(frozen=True)
class Entry:
    """One published build, as the feed lists it."""

    briefing: str
    build_id: str
    title: str
    updated: datetime
    summary: str
    links: tuple[tuple[str, str, str], ...]  # (rel, type, href)


def feed_entries(catalogue: Catalogue) -> list[Entry]:
    """Every complete kept build of the schedule's briefings, newest first."""
    entries = []
    for publication in catalogue.publications:
        for build in builds(publication.out, catalogue.reports):
            folder = BuildFolder(history_dir(publication.out) / build.build_id)
            manifest = folder.read_manifest() or Manifest()
            entries.append(
                Entry(
                    briefing=publication.name,
                    build_id=build.build_id,
                    title=manifest.title or publication.name,
                    updated=_time(build.built_at),
                    summary=first_sentence(manifest.digest),
                    links=tuple((*_KINDS[label], href) for label, href in build.files),
                )
            )
    entries.sort(key=lambda e: (e.updated, e.briefing, e.build_id), reverse=True)
    return entries[:MAX_ENTRIES]


def render_feed(catalogue: Catalogue, *, base_url: str | None = None) -> str:
    """The Atom document for a schedule's published builds."""
    ET.register_namespace("", ATOM)
    entries = feed_entries(catalogue)
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(root, "title", "Briefings")
    _text(root, "subtitle", f"Published builds of the briefings in {catalogue.source.name}")
    _text(root, "id", _urn(str(catalogue.source.resolve())))
    updated = max((e.updated for e in entries), default=EARLIEST)
    _text(root, "updated", updated.isoformat())
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", "briefings")
    _text(root, "generator", "briefings")
    if base_url:
        ET.SubElement(root, f"{{{ATOM}}}link", rel="self", href=f"{base_url}/{FEED_FILE}")
    for entry in entries:
        item = ET.SubElement(root, f"{{{ATOM}}}entry")
        # Briefings of one dataset share its title: the name tells them apart.
        name = "" if entry.title == entry.briefing else f" [{entry.briefing}]"
        _text(item, "title", f"{entry.title}{name}: built {entry.updated:%d %b %Y %H:%M} UTC")
        _text(item, "id", _urn(f"{entry.briefing}/{entry.build_id}"))
        _text(item, "updated", entry.updated.isoformat())
        _text(item, "summary", entry.summary or f"Briefing '{entry.briefing}' was built.")
        for rel, kind, href in entry.links:
            url = f"{base_url}/{href}" if base_url else href
            ET.SubElement(item, f"{{{ATOM}}}link", rel=rel, type=kind, href=url)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_feed(catalogue: Catalogue, *, base_url: str | None = None) -> Path:
    """Write `reports/feed.xml` (aside, then moved into place); return its path."""
    path = catalogue.reports / FEED_FILE
    write_atomic(path, render_feed(catalogue, base_url=base_url))
    return path


def _text(parent: ET.Element, tag: str, text: str) -> None:
    # ElementTree escapes markup but writes a control character as it is, which no XML
    # reader accepts: one in a title (from a manifest, a parameter) would break the feed.
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = printable(text, one_line=tag == "title")


def _urn(name: str) -> str:
    """A stable id that is an IRI, as Atom requires, without a public host to name."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"briefings:{name}").urn


def _time(text: object) -> datetime:
    try:
        return as_utc(datetime.fromisoformat(str(text)))
    except (ValueError, OverflowError):
        return EARLIEST
