"""Reading hand-written YAML safely, with line numbers for messages.

Every YAML file of the project (dataset.yaml, params files, briefings.yaml) is read here:
a SafeLoader, so no tag can build an object, that leaves dates as text, so an impossible
date is reported by our own checks with its key instead of crashing inside PyYAML.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from briefings.exceptions import Problem, ProblemsError, quoted
from briefings.inputs.inputfile import read_input
from briefings.inputs.text import control_problem

# Hand-written YAML is small and shallow. Past these bounds a file is a mistake or an attack:
# a few lines of aliases, each repeating the one before ten times, stand for a billion
# values, and deep nesting exhausts the parser's recursion.
MAX_YAML_BYTES = 1024 * 1024
MAX_YAML_VALUES = 100_000
MAX_YAML_DEPTH = 64


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
    data = read_input(path, limit=MAX_YAML_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProblemsError([Problem(name, "is not UTF-8 text")]) from None
    return load_yaml(text, name)


def load_yaml(text: str, name: str) -> tuple[yaml.Node | None, object]:
    """The node tree (for line numbers) and the plain data of a YAML document.

    Only plain values are built: a `!!python/...` tag is refused, never executed. Raises
    ProblemsError with one located line when the text is not well-formed YAML.
    """
    if len(text) > MAX_YAML_BYTES:
        raise ProblemsError(
            [
                Problem(
                    name, f"is over {MAX_YAML_BYTES // 2**20} MB; hand-written YAML is far smaller"
                )
            ]
        )
    try:
        return _parse_once(text, name, _FAST_LOADER)
    except yaml.YAMLError:
        pass
    try:
        return _parse_once(text, name, _CLEAR_LOADER)
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


def _parse_once(text: str, name: str, loader_class: type) -> tuple[yaml.Node | None, object]:
    """The node tree and the data built from it, parsing the text a single time.

    The nesting depth is measured on the parser's events, before any recursive
    composing; the number of values the document stands for (every alias counted as
    often as it is used) on the node tree, before any value is built, and so are the
    keys and the text of every value (`_check_values`).
    """
    _check_depth(text, name, loader_class)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_expansion(node, name)
            _check_values(node, name)
        return node, None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


def _check_depth(text: str, name: str, loader_class: type) -> None:
    loader = loader_class(text)
    try:
        depth = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise _refused(
                        name,
                        f"nests more than {MAX_YAML_DEPTH} levels deep; "
                        "a hand-written file needs only a few",
                        event.start_mark.line + 1,
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node, name: str) -> None:
    """Refuse a node graph that stands for too many values, or an alias inside itself."""
    sizes: dict[int, int] = {}  # id(node) -> values it stands for, once measured
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        children = _children(node)
        if children_done:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[id(node)] > MAX_YAML_VALUES:
                raise _refused(
                    name,
                    f"stands for more than {MAX_YAML_VALUES:,} values once its aliases "
                    "(*name) are expanded; write the values out, or use fewer aliases",
                    node.start_mark.line + 1,
                )
            continue
        if id(node) in sizes:
            continue
        open_nodes.add(id(node))
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise _refused(
                    name,
                    "an alias (*name) refers to a value that contains it",
                    child.start_mark.line + 1,
                )
            if id(child) not in sizes:
                stack.append((child, False))


def _check_values(root: yaml.Node, name: str) -> None:
    """Refuse a key given twice in one mapping (YAML would keep the last without a word,
    and a briefing or a setting would be lost) and a value holding a control character
    (a double-quoted "\\f" or "\\x01" is one), each located by its line and key path."""
    problems = []
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, where = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode) and (why := control_problem(node.value)):
            problems.append(Problem(name, f"{where}: {why}" if where else why, row=_line(node)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            first: dict[object, int] = {}
            for key, value in node.value:
                label = quoted(key.value) if isinstance(key, yaml.ScalarNode) else "a key"
                if isinstance(key, yaml.ScalarNode) and key.value in first:
                    problems.append(
                        Problem(
                            name,
                            f"key {label} is given twice in one mapping (first on line "
                            f"{first[key.value]}); YAML would keep only the last, so give it once",
                            row=_line(key),
                        )
                    )
                elif isinstance(key, yaml.ScalarNode):
                    first[key.value] = _line(key)
                path = f"{where}.{key.value}" if isinstance(key, yaml.ScalarNode) else where
                stack.extend([(key, where), (value, path.lstrip("."))])
    if problems:
        raise ProblemsError(sorted(problems, key=lambda p: p.row or 0))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _refused(name: str, message: str, line: int) -> ProblemsError:
    return ProblemsError([Problem(name, message, row=line)])


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []
