"""Reading hand-written YAML safely, with line numbers for messages.

Every YAML file of the project (dataset.yaml, params files, briefings.yaml) is read here:
a SafeLoader, so no tag can build an object, that leaves dates as text, so an impossible
date is reported by our own checks with its key instead of crashing inside PyYAML.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .exceptions import Problem, ProblemsError


def _text_dates(base: type) -> type:
    """`base` (a safe loader) with dates left as text.

    The safe loader turns `2021-02-30` into a crash (ValueError) and `2021-12-31 10:00`
    into a datetime; as text, both reach the checks that report them with their key.
    """
    loader = type(f"TextDate{base.__name__}", (base,), {})
    loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    return loader


# libyaml's parser is about ten times faster (PyYAML wheels carry it); Python's parser
# explains a mistake better, so it reads the files that libyaml rejects.
_CLEAR_LOADER = _text_dates(yaml.SafeLoader)
_FAST_LOADER = _text_dates(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def read_yaml_file(path: str | Path) -> tuple[yaml.Node | None, object]:
    """Read and parse a YAML file (a BOM is allowed); ProblemsError, one line, if unusable."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ProblemsError([Problem(name, "file is missing")]) from None
    except OSError as error:
        raise ProblemsError([Problem(name, f"cannot read the file ({error.strerror})")]) from None
    except UnicodeDecodeError:
        raise ProblemsError([Problem(name, "is not UTF-8 text")]) from None
    return load_yaml(text, name)


def load_yaml(text: str, name: str) -> tuple[yaml.Node | None, object]:
    """The node tree (for line numbers) and the plain data of a YAML document.

    Only plain values are built: a `!!python/...` tag is refused, never executed. Raises
    ProblemsError with one located line when the text is not well-formed YAML.
    """
    try:
        return _parse_once(text, _FAST_LOADER)
    except yaml.YAMLError:
        pass
    try:
        return _parse_once(text, _CLEAR_LOADER)
    except yaml.reader.ReaderError as error:
        raise ProblemsError(
            [
                Problem(
                    name,
                    f"character U+{error.character:04X} is not allowed in YAML "
                    "(remove it, or save the file as plain UTF-8 text)",
                    row=text[: error.position].count("\n") + 1,
                )
            ]
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        if "alias" in str(getattr(error, "context", "")):
            reason += " (a value that starts with * must be quoted, e.g. a cron expression)"
        if "constructor for the tag" in reason:
            tag = reason.rsplit(" ", 1)[-1].strip("'").replace("tag:yaml.org,2002:", "!!")
            reason = f"the tag {tag} is not allowed (write plain values only)"
        raise ProblemsError(
            [
                Problem(
                    name, f"malformed YAML: {reason}", row=None if mark is None else mark.line + 1
                )
            ]
        ) from None


def yaml_line(node: yaml.Node | None, path: tuple[object, ...]) -> int | None:
    """The line (1-based) of the YAML node at `path`, for messages.

    When a key is missing, the line of the nearest mapping or list that should hold it.
    """
    for key in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
        if child is None:
            break
        node = child
    return None if node is None else node.start_mark.line + 1


def _parse_once(text: str, loader_class: type) -> tuple[yaml.Node | None, object]:
    """The node tree and the data built from it, parsing the text a single time."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()
