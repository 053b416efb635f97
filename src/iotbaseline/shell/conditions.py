"""`[ ... ]`, `test`, `true` and `false` decided statically where the answer is certain: comparisons
of known strings and numbers, and tests on files the image holds (a file missing from the image may
be created at run time, so a test on it stays unknown)."""

from enum import Enum

from iotbaseline.shell.files import ImageFiles

_FILE_TESTS = ("-e", "-f", "-d", "-x", "-s", "-r", "-h", "-L")
_COMPARISONS = {"-eq": "__eq__", "-ne": "__ne__", "-lt": "__lt__", "-le": "__le__", "-gt": "__gt__", "-ge": "__ge__"}


class Truth(Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    @staticmethod
    def of(value: bool) -> "Truth":
        return Truth.TRUE if value else Truth.FALSE

    def negated(self) -> "Truth":
        return {Truth.TRUE: Truth.FALSE, Truth.FALSE: Truth.TRUE}.get(self, Truth.UNKNOWN)


def evaluate_test(argv: list[str], files: ImageFiles) -> Truth:
    """`argv` is a test command with every word known."""
    if argv[0] in ("true", "false"):
        return Truth.of(argv[0] == "true")
    args = argv[1:]
    if argv[0] in ("[", "[[") and args and args[-1] in ("]", "]]"):
        args = args[:-1]
    if args and args[0] == "!":
        return _expression(args[1:], files).negated()
    return _expression(args, files)


def _expression(args: list[str], files: ImageFiles) -> Truth:
    if len(args) == 1:
        return Truth.of(bool(args[0]))
    if len(args) == 2:
        operator, operand = args
        if operator in ("-n", "-z"):
            return Truth.of(bool(operand) == (operator == "-n"))
        return _file_test(operator, operand, files)
    if len(args) == 3:
        left, operator, right = args
        if operator in ("=", "=="):
            return Truth.of(left == right)
        if operator == "!=":
            return Truth.of(left != right)
        numbers = _integers(left, right)
        if numbers is not None and operator in _COMPARISONS:
            return Truth.of(bool(getattr(numbers[0], _COMPARISONS[operator])(numbers[1])))
    return Truth.UNKNOWN


def _file_test(operator: str, operand: str, files: ImageFiles) -> Truth:
    if operator not in _FILE_TESTS or not operand.startswith("/") or not files.exists(operand):
        return Truth.UNKNOWN
    if operator == "-x":
        executable = files.is_executable(operand)
        return Truth.UNKNOWN if executable is None else Truth.of(executable)
    if operator == "-d":
        return Truth.of(files.is_dir(operand))
    if operator == "-f":
        return Truth.of(files.file(operand) is not None)
    if operator in ("-h", "-L"):
        return Truth.of(files.link_target(operand) is not None)
    if operator == "-s":
        found = files.file(operand)
        return Truth.TRUE if found is not None and found.size > 0 else Truth.UNKNOWN  # it may be filled at run time
    return Truth.TRUE


def _integers(left: str, right: str) -> tuple[int, int] | None:
    try:
        return int(left), int(right)
    except ValueError:
        return None
