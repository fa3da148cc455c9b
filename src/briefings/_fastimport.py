"""Keep a slow optional import out of every process that loads nbformat.

jsonschema imports `rfc3987_syntax` only to check the 'iri' and 'iri-reference' string
formats, and building that module's grammar takes about 2.4 s per process
(python-jsonschema/jsonschema#1428). Nothing here validates those formats: nbformat does not
use a format checker at all. jsonschema wraps the import in `suppress(ImportError)`, so a
`None` entry in `sys.modules`, which makes the import raise ImportError, only drops those two
format checks. Import this module before anything that imports nbformat or jsonschema.
"""

from __future__ import annotations

import sys

sys.modules.setdefault("rfc3987_syntax", None)
