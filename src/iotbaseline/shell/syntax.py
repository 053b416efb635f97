"""Shell tokens as a small syntax tree: simple commands, and/or lists, pipelines, if, for, while,
case, functions, groups, commands run in the background. Error-tolerant (a stray `fi` is skipped, an
unclosed `if` ends with the file) and bounded in nesting, because init scripts are hostile input like
everything else."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from iotbaseline.shell.tokens import Part, PartKind, Token, TokenKind, Word, tokenize

MAX_DEPTH = 64
_RESERVED = frozenset(
    {"if", "then", "elif", "else", "fi", "for", "in", "do", "done", "while", "until", "case", "esac", "{", "}", "!"}
)
_ITEM_END = frozenset({"then", "elif", "else", "fi", "do", "done", "esac", "}"})
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.DOTALL)


@dataclass(frozen=True)
class Simple:
    words: tuple[Word, ...]
    line: int
    redirects: tuple[tuple[str, Word | None], ...] = ()
    """(operator as written, `2>` included; its target word) in order."""


@dataclass(frozen=True)
class AndOr:
    """`first && second || third`: each later command runs depending on the status before it."""

    first: "Node"
    rest: tuple[tuple[str, "Node"], ...]


@dataclass(frozen=True)
class Pipeline:
    commands: tuple["Node", ...]
    negated: bool


@dataclass(frozen=True)
class If:
    clauses: tuple[tuple["Block", "Block"], ...]
    """(condition, body) for `if` and each `elif`."""
    otherwise: "Block | None"
    line: int


@dataclass(frozen=True)
class For:
    variable: str
    words: tuple[Word, ...] | None
    """None: `for x; do` iterates the positional parameters."""
    body: "Block"
    line: int


@dataclass(frozen=True)
class Loop:
    until: bool
    condition: "Block"
    body: "Block"
    line: int


@dataclass(frozen=True)
class Case:
    word: Word
    items: tuple[tuple[tuple[Word, ...], "Block"], ...]
    line: int


@dataclass(frozen=True)
class Function:
    name: str
    body: "Node"
    line: int


@dataclass(frozen=True)
class Group:
    body: "Block"
    subshell: bool
    line: int


@dataclass(frozen=True)
class Background:
    """`command &`: it runs without the script waiting for it."""

    body: "Node"


Node = Simple | AndOr | Pipeline | If | For | Loop | Case | Function | Group | Background
Block = tuple[Node, ...]


def parse(text: str) -> Block:
    return _Parser(tokenize(text)).program()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    # ---- token helpers --------------------------------------------------------------------------------

    def peek(self, offset: int = 0) -> Token | None:
        position = self.index + offset
        return self.tokens[position] if position < len(self.tokens) else None

    def reserved(self, offset: int = 0) -> str | None:
        token = self.peek(offset)
        if token is None or token.kind is not TokenKind.WORD or token.word is None:
            return None
        plain = token.word.plain
        return plain if plain in _RESERVED else None

    def operator(self) -> str | None:
        token = self.peek()
        return token.text if token is not None and token.kind is TokenKind.OPERATOR else None

    def skip_newlines(self) -> None:
        while (token := self.peek()) is not None and token.kind is TokenKind.NEWLINE:
            self.index += 1

    def accept_reserved(self, name: str) -> bool:
        self.skip_newlines()
        if self.reserved() == name:
            self.index += 1
            return True
        return False

    def line(self) -> int:
        token = self.peek()
        return token.line if token is not None else 0

    # ---- grammar ----------------------------------------------------------------------------------------

    def program(self) -> Block:
        nodes: list[Node] = []
        while self.peek() is not None:
            nodes.extend(self.items(top=True))
            if self.peek() is not None:
                self.index += 1  # a stray closing word or operator: skip it
        return tuple(nodes)

    def items(self, top: bool = False, stop: frozenset[str] = _ITEM_END) -> Block:
        """A list of commands up to a closing reserved word (or `;;`, `)` inside case and subshells)."""
        nodes: list[Node] = []
        while True:
            self.skip_newlines()
            token = self.peek()
            if token is None:
                break
            if self.reserved() in stop:
                break
            if token.kind is TokenKind.OPERATOR and token.text in (";;", ";&", ")"):
                break
            if token.kind is TokenKind.OPERATOR and token.text in (";", "&"):
                self.index += 1
                continue
            node = self.and_or()
            if node is None:
                if top:
                    break
                self.index += 1
                continue
            if self.operator() == "&":
                self.index += 1
                node = Background(node)
            nodes.append(node)
        return tuple(nodes)

    def and_or(self) -> Node | None:
        first = self.pipeline()
        if first is None:
            return None
        rest: list[tuple[str, Node]] = []
        while self.operator() in ("&&", "||"):
            operator = self.operator() or ""
            self.index += 1
            self.skip_newlines()
            following = self.pipeline()
            if following is None:
                break
            rest.append((operator, following))
        return AndOr(first, tuple(rest)) if rest else first

    def pipeline(self) -> Node | None:
        negated = False
        if self.reserved() == "!":
            negated = True
            self.index += 1
        first = self.command()
        if first is None:
            return None
        commands = [first]
        while self.operator() in ("|", "|&"):
            self.index += 1
            self.skip_newlines()
            following = self.command()
            if following is None:
                break
            commands.append(following)
        return Pipeline(tuple(commands), negated) if len(commands) > 1 or negated else first

    def command(self) -> Node | None:
        if self.depth >= MAX_DEPTH:
            return None
        self.depth += 1
        try:
            return self._command()
        finally:
            self.depth -= 1

    def _command(self) -> Node | None:
        token = self.peek()
        if token is None:
            return None
        word = self.reserved()
        line = token.line
        if word == "if":
            return self.if_clause(line)
        if word == "for":
            return self.for_clause(line)
        if word in ("while", "until"):
            self.index += 1
            condition = self.items()
            self.accept_reserved("do")
            body = self.items()
            self.accept_reserved("done")
            return Loop(word == "until", condition, body, line)
        if word == "case":
            return self.case_clause(line)
        if word == "{":
            self.index += 1
            body = self.items()
            self.accept_reserved("}")
            return Group(body, False, line)
        if word is not None:
            return None  # a closing word where a command should be
        if token.kind is TokenKind.OPERATOR and token.text == "(":
            self.index += 1
            body = self.items(stop=frozenset())
            if self.operator() == ")":
                self.index += 1
            return Group(body, True, line)
        if token.kind is TokenKind.WORD and token.word is not None:
            function = self.function_definition(line)
            if function is not None:
                return function
        return self.simple(line)

    def function_definition(self, line: int) -> Function | None:
        first = self.peek()
        assert first is not None and first.word is not None
        name = first.word.plain
        if name == "function":
            following = self.peek(1)
            if following is None or following.word is None or following.word.plain is None:
                return None
            self.index += 2
            name = following.word.plain
            if self.operator() == "(":
                self.index += 2
        else:
            second, third = self.peek(1), self.peek(2)
            if not (
                name
                and second is not None
                and second.kind is TokenKind.OPERATOR
                and second.text == "("
                and third is not None
                and third.kind is TokenKind.OPERATOR
                and third.text == ")"
            ):
                return None
            self.index += 3
        self.skip_newlines()
        body = self.command()
        return Function(name, body if body is not None else Group((), False, line), line)

    def simple(self, line: int) -> Simple | None:
        words: list[Word] = []
        redirects: list[tuple[str, Word | None]] = []
        while (token := self.peek()) is not None:
            if token.kind is TokenKind.WORD and token.word is not None:
                words.append(token.word)
            elif token.kind is TokenKind.REDIRECTION:
                redirects.append((token.text, token.word))
            else:
                break
            self.index += 1
        return Simple(tuple(words), line, tuple(redirects)) if words or redirects else None

    def if_clause(self, line: int) -> If:
        self.index += 1
        clauses: list[tuple[Block, Block]] = []
        condition = self.items()
        self.accept_reserved("then")
        body = self.items()
        clauses.append((condition, body))
        otherwise: Block | None = None
        while True:
            self.skip_newlines()
            word = self.reserved()
            if word == "elif":
                self.index += 1
                condition = self.items()
                self.accept_reserved("then")
                clauses.append((condition, self.items()))
                continue
            if word == "else":
                self.index += 1
                otherwise = self.items()
                continue
            if word == "fi":
                self.index += 1
            break
        return If(tuple(clauses), otherwise, line)

    def for_clause(self, line: int) -> For:
        self.index += 1
        token = self.peek()
        variable = token.word.plain if token is not None and token.word is not None else None
        self.index += 1
        words: tuple[Word, ...] | None = None
        self.skip_newlines()
        if self.reserved() == "in":
            self.index += 1
            collected: list[Word] = []
            while (token := self.peek()) is not None and token.kind is TokenKind.WORD and token.word is not None:
                if self.reserved() == "do":
                    break
                collected.append(token.word)
                self.index += 1
            words = tuple(collected)
        if self.operator() == ";":
            self.index += 1
        self.accept_reserved("do")
        body = self.items()
        self.accept_reserved("done")
        return For(variable or "_", words, body, line)

    def case_clause(self, line: int) -> Case:
        self.index += 1
        token = self.peek()
        subject = token.word if token is not None and token.word is not None else Word(())
        self.index += 1
        self.accept_reserved("in")
        items: list[tuple[tuple[Word, ...], Block]] = []
        while True:
            self.skip_newlines()
            if self.peek() is None or self.reserved() == "esac":
                break
            if self.operator() == "(":
                self.index += 1
            patterns: list[Word] = []
            while (token := self.peek()) is not None:
                if token.kind is TokenKind.WORD and token.word is not None:
                    patterns.append(token.word)
                elif token.kind is not TokenKind.OPERATOR or token.text != "|":
                    break
                self.index += 1
            if self.operator() != ")":
                self.index += 1  # not a pattern list: skip the token and try again
                continue
            self.index += 1
            body = self.items(stop=_ITEM_END)
            items.append((tuple(patterns), body))
            if self.operator() in (";;", ";&"):
                self.index += 1
        self.accept_reserved("esac")
        return Case(subject, tuple(items), line)


def simple_commands(block: Block) -> Iterator[Simple]:
    """Every simple command in the tree, in every branch and function, in source order."""
    stack: list[Node] = list(reversed(block))
    while stack:
        node = stack.pop()
        if isinstance(node, Simple):
            yield node
            continue
        children: list[Node] = []
        if isinstance(node, AndOr):
            children = [node.first, *(n for _, n in node.rest)]
        elif isinstance(node, Pipeline):
            children = list(node.commands)
        elif isinstance(node, If):
            children = [n for condition, body in node.clauses for n in (*condition, *body)]
            children.extend(node.otherwise or ())
        elif isinstance(node, For):
            children = list(node.body)
        elif isinstance(node, Loop):
            children = [*node.condition, *node.body]
        elif isinstance(node, Case):
            children = [n for _, body in node.items for n in body]
        elif isinstance(node, Function):
            children = [node.body]
        elif isinstance(node, Group):
            children = list(node.body)
        elif isinstance(node, Background):
            children = [node.body]
        stack.extend(reversed(children))


def assignment(word: Word) -> tuple[str, Word] | None:
    """`NAME=value` -> (NAME, the value as a word of its own); None for any other word."""
    first = word.parts[0] if word.parts else None
    if first is None or first.kind is not PartKind.LITERAL or first.quoted:
        return None
    match = _ASSIGNMENT.fullmatch(first.text)
    if match is None:
        return None
    rest = match.group(2)
    value = ((Part(PartKind.LITERAL, rest, False, rest),) if rest else ()) + word.parts[1:]
    return match.group(1), Word(value)
