"""Sphinx settings for the documentation site (`make docs`): MyST Markdown pages, the
PyData theme, nothing fetched from another host while building or reading."""

import sys
from pathlib import Path

# The site's own extension (settings_table: the environment variables' table).
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "briefings"
author = "the briefings authors"
copyright = "the briefings authors"  # noqa: A001  (Sphinx's name for it)

extensions = ["myst_parser", "settings_table"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# Strict: every cross-reference must resolve (make docs adds -n -W --keep-going). No
# intersphinx: the site builds offline and links only to its own pages.
nitpicky = True
# `[text](page.md#a-heading)` resolves for headings down to ###, as GitHub renders them.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]
# A code block without a language (a message, a table the tool prints) is shown as written.
highlight_language = "none"

html_theme = "pydata_sphinx_theme"
html_title = "briefings"
html_static_path: list[str] = []
templates_path = ["_templates"]
# Every page shows the whole site's contents, grouped by the captions of index.md's toctrees.
html_sidebars = {"**": ["sidebar-site-nav"]}
html_context = {"default_mode": "light"}
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {
    # Nothing here may load from another host: no analytics, no version switcher, no
    # icon links to hosted services; `make docs` checks the built pages for remote assets.
    "analytics": {},
    "icon_links": [],
    "navbar_align": "left",
    "navbar_center": [],  # the sidebar lists the pages; a flat list in the header would too
    "show_toc_level": 2,
    "show_nav_level": 2,
    "navigation_depth": 3,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
    "primary_sidebar_end": [],
}
