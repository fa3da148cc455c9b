"""A markdown cell as Typst markup, for the PDF: markdown-it-py's tokens through a template.

CommonMark with tables and strikethrough, as a reader of the HTML sees the cell: headings,
paragraphs, emphasis, lists, links, code, block quotes, rules, tables and images. Every
piece of text is escaped (see typst_markup), so the analyst's prose prints as written;
raw HTML has no Typst form and is left out with a warning.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from markupsafe import Markup

from briefings.report import typst_markup

TEMPLATE = "markdown.typ.j2"


def markdown_to_typst(
    source: str,
    *,
    image: Callable[[str], str | None],
    warn: Callable[[str], None],
    keep_with_next: bool = False,
) -> Markup:
    """The cell's markdown as Typst markup.

    `image(src)` gives the path under Typst's root of the image a link names, or None when
    it cannot be shown; `warn(message)` is told of each piece of raw HTML left out. With
    `keep_with_next`, the last block never ends a page apart from what follows the cell.
    """

    def html(fragment: str) -> Markup:
        shown = " ".join(fragment.split())
        warn(f"raw HTML is left out of the PDF: {shown[:60]}{'…' if len(shown) > 60 else ''}")
        return Markup("")

    tree = SyntaxTreeNode(_parser().parse(source))
    return typst_markup.render(
        TEMPLATE, root=tree, image=image, warn=html, keep_with_next=keep_with_next
    )


@functools.cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])
