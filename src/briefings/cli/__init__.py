"""The `briefings` command: parse arguments, call the library, map errors to exit codes.

Exit 0 on success, 1 when the input is wrong (one line per problem), 2 on usage errors.
parser.py declares the commands and their options; commands.py runs each, importing heavy
libraries inside the command so `briefings --help` starts fast.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence

from briefings.cli.commands import EXIT_INPUT, EXIT_USAGE
from briefings.cli.parser import command_line
from briefings.exceptions import BriefingsError, OutputError, ParameterError, Problem, quoted


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = command_line()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        _check_arguments(args)
        code = args.run(args)
        sys.stdout.flush()  # a full or closed output fails here, not after the exit code
        return code
    except BriefingsError as error:
        for line in error.lines():
            print(f"error: {line}", file=sys.stderr)
        return EXIT_INPUT
    except (OSError, UnicodeEncodeError) as error:
        print(f"error: {_os_error(error)}", file=sys.stderr)
        _drop_stdout()
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if argv is None:  # the console script: the process ends next
            # Spares the interpreter a last garbage collection over everything pandas,
            # nbconvert and Typst's templates loaded: about 0.3 s at the end of a build. Not when
            # called with arguments (tests), where later garbage must still be collected.
            gc.freeze()


def _check_arguments(args: argparse.Namespace) -> None:
    """Refuse, before any work, what could only fail later: text that is not UTF-8 (bytes
    of another encoding arrive as lone surrogates) and an output that is closed."""
    given = [
        (f"--{option}", value) for option, value in vars(args).items() if isinstance(value, str)
    ]
    for name, value in getattr(args, "param", None) or ():
        given += [("a parameter name", name), (f"parameter '{name}'", value)]
    for where, text in given:
        if not _is_utf8(text):
            bad = ord(next(c for c in text if not _is_utf8(c)))
            shown = f"byte 0x{bad - 0xDC00:02x}" if 0xDC80 <= bad <= 0xDCFF else f"U+{bad:04X}"
            raise ParameterError(
                [Problem(where, f"{quoted(text)} is not UTF-8 text ({shown}); use UTF-8 names")]
            )
    if sys.stdout is None:
        raise OutputError("standard output is closed; give the command somewhere to print")


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _os_error(error: OSError | UnicodeEncodeError) -> str:
    """One line for an error of the operating system, naming the file when there is one."""
    if isinstance(error, UnicodeEncodeError):
        return (
            f"cannot print the output in this terminal's encoding ({error.encoding}); "
            "use a UTF-8 locale or set PYTHONIOENCODING=utf-8"
        )
    where = error.filename if error.filename is not None else "standard output"
    return f"{where}: cannot write ({error.strerror or type(error).__name__})"


def _drop_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush of what could
    not be written raises no second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass
