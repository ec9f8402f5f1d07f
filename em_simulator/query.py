"""The query-service filter language: tokenizer, recursive-descent parser, compiler.

Grammar (em_api.md §5: operators ==, !=, <, >, <=, >=; ';' AND, ',' OR, parentheses;
values with spaces quoted, an embedded quote doubled). Like FIQL, which this syntax
follows, AND binds tighter than OR:

    filter     := or_expr END
    or_expr    := and_expr (',' and_expr)*
    and_expr   := term (';' term)*
    term       := '(' or_expr ')' | FIELD OP VALUE
    VALUE      := '"' (char | '""')* '"' | run of chars up to the next operator char

Field names, enum values and string comparisons are case-insensitive (the doc
examples use "jobtype==backup;platform==hyperv" and "name==..."; EM sits on SQL
Server, whose default collation ignores case).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from .clock import parse_utc


class FilterError(ValueError):
    pass


# ------------------------------------------------------------------ tokenizer

OP_CHARS = "=!<>"
STOP_CHARS = ";,()" + OP_CHARS + '"'


@dataclass(frozen=True)
class Token:
    kind: str  # FIELD OP VALUE AND OR LPAREN RPAREN END
    text: str
    pos: int  # 1-based column, for error messages
    quoted: bool = False


def tokenize(src: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(src)
    expect_value = False
    while True:
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            if expect_value:
                raise FilterError(f"a value is expected after '{tokens[-1].text}' at position {n + 1}")
            tokens.append(Token("END", "", n + 1))
            return tokens
        ch = src[i]
        if expect_value:
            expect_value = False
            if ch == '"':
                start = i
                i += 1
                chars: list[str] = []
                while True:
                    if i >= n:
                        raise FilterError(f"unterminated quoted value starting at position {start + 1}")
                    if src[i] == '"':
                        if i + 1 < n and src[i + 1] == '"':
                            chars.append('"')
                            i += 2
                            continue
                        i += 1
                        break
                    chars.append(src[i])
                    i += 1
                tokens.append(Token("VALUE", "".join(chars), start + 1, quoted=True))
                continue
            start = i
            while i < n and src[i] not in STOP_CHARS:
                i += 1
            # optional_query_parameters.md: without quotes "the server will ignore
            # spaces in the string".
            value = "".join(src[start:i].split())
            if not value:
                raise FilterError(f"a value is expected after '{tokens[-1].text}' at position {start + 1}")
            tokens.append(Token("VALUE", value, start + 1))
            continue
        if ch in "();,":
            kind = {"(": "LPAREN", ")": "RPAREN", ";": "AND", ",": "OR"}[ch]
            tokens.append(Token(kind, ch, i + 1))
            i += 1
            continue
        if ch in OP_CHARS:
            two = src[i:i + 2]
            if two in ("==", "!=", "<=", ">="):
                op, i = two, i + 2
            elif ch in "<>":
                op, i = ch, i + 1
            else:
                raise FilterError(f"unknown operator '{ch}' at position {i + 1}; "
                                  "use ==, !=, <, >, <= or >=")
            tokens.append(Token("OP", op, i - len(op) + 1))
            expect_value = True
            continue
        if ch.isalpha() or ch == "_":
            start = i
            while i < n and (src[i].isalnum() or src[i] in "_."):
                i += 1
            tokens.append(Token("FIELD", src[start:i], start + 1))
            continue
        raise FilterError(f"unexpected character '{ch}' at position {i + 1}")


# --------------------------------------------------------------------- parser

@dataclass(frozen=True)
class Cmp:
    field: str
    op: str
    value: str
    quoted: bool
    pos: int


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    items: tuple[Any, ...]


Node = Any  # Cmp | BoolOp


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self, kind: str, what: str) -> Token:
        tok = self.peek()
        if tok.kind != kind:
            found = "the end of the filter" if tok.kind == "END" else f"'{tok.text}'"
            raise FilterError(f"{what} expected at position {tok.pos}, found {found}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.or_expr()
        tok = self.peek()
        if tok.kind != "END":
            if tok.kind == "RPAREN":
                raise FilterError(f"unbalanced ')' at position {tok.pos}")
            raise FilterError(f"';', ',' or the end of the filter expected at position {tok.pos}, "
                              f"found '{tok.text}'")
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.peek().kind == "OR":
            self.i += 1
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_expr(self) -> Node:
        items = [self.term()]
        while self.peek().kind == "AND":
            self.i += 1
            items.append(self.term())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def term(self) -> Node:
        tok = self.peek()
        if tok.kind == "LPAREN":
            self.i += 1
            node = self.or_expr()
            close = self.peek()
            if close.kind != "RPAREN":
                raise FilterError(f"missing ')' for the '(' at position {tok.pos}")
            self.i += 1
            return node
        field = self.take("FIELD", "a field name")
        op = self.take("OP", f"a comparison operator after '{field.text}'")
        value = self.take("VALUE", f"a value after '{op.text}'")
        return Cmp(field.text, op.text, value.text, value.quoted, field.pos)


def parse_filter(src: str) -> Node | None:
    if not src.strip():
        return None
    return _Parser(tokenize(src)).parse()


# ------------------------------------------------------------------- compiler

@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # string | uid | enum | bool | datetime | int
    get: Callable[[Any], Any]
    enum: tuple[str, ...] = ()
    indexed: bool = False  # == on it may be answered from an index
    ranged: bool = False  # ==, <, <=, >, >= on it may be answered from a sorted index
    # The value changes with time alone (a session's State, Result, EndTime): a cached answer that uses it is
    # good only while nothing runs.
    dynamic: bool = False


Fields = dict[str, FieldSpec]  # keyed by lower-case name (and aliases)

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt,
    ">": operator.gt, "<=": operator.le, ">=": operator.ge,
}


def field_spec(fields: Fields, name: str, type_name: str) -> FieldSpec:
    spec = fields.get(name.lower())
    if spec is None:
        known = ", ".join(sorted({s.name for s in fields.values()}))
        raise FilterError(f"unknown field '{name}' for type {type_name}; known fields: {known}")
    return spec


def convert(spec: FieldSpec, raw: str) -> Any:
    """Filter value -> comparable value (enums by index, em_api.md §5)."""
    if spec.kind in ("string", "uid"):
        return raw.casefold()
    if spec.kind == "enum":
        folded = raw.casefold()
        for i, v in enumerate(spec.enum):
            if v.casefold() == folded:
                return i
        raise FilterError(f"invalid value '{raw}' for field {spec.name}; expected one of {', '.join(spec.enum)}")
    if spec.kind == "bool":
        folded = raw.casefold()
        if folded in ("true", "false"):
            return folded == "true"
        raise FilterError(f"invalid value '{raw}' for field {spec.name}; expected true or false")
    if spec.kind == "datetime":
        try:
            return parse_utc(raw)
        except ValueError:
            raise FilterError(f"invalid DateTime '{raw}' for field {spec.name}; "
                              "expected UTC ISO-8601 such as 2025-08-15T06:00:00Z") from None
    if spec.kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise FilterError(f"invalid number '{raw}' for field {spec.name}") from None
    raise AssertionError(spec.kind)


def value_of(spec: FieldSpec, obj: Any) -> Any:
    v = spec.get(obj)
    if v is None:
        return None
    if spec.kind in ("string", "uid"):
        return str(v).casefold()
    if spec.kind == "enum":
        folded = str(v).casefold()
        for i, e in enumerate(spec.enum):
            if e.casefold() == folded:
                return i
        return len(spec.enum)
    return v


Predicate = Callable[[Any], bool]


def compile_filter(node: Node, fields: Fields, type_name: str, unquoted_datetimes: bool = True) -> Predicate:
    if isinstance(node, BoolOp):
        parts = [compile_filter(n, fields, type_name, unquoted_datetimes) for n in node.items]
        if node.op == "and":
            return lambda o: all(p(o) for p in parts)
        return lambda o: any(p(o) for p in parts)
    spec = field_spec(fields, node.field, type_name)
    if spec.kind == "datetime" and not node.quoted and not unquoted_datetimes:
        # Setting filter_datetime_form "quoted": the docs write DateTime values in quotes only
        # (get_query_backupjobsession.md: CreationTime>="2025-08-15T06:00:00Z").
        raise FilterError(f"the DateTime value '{node.value}' for field {spec.name} at position {node.pos} must be "
                          'quoted, e.g. CreationTime>="2025-08-15T06:00:00Z"')
    wanted = convert(spec, node.value)
    compare = _OPS[node.op]

    def predicate(obj: Any) -> bool:
        actual = value_of(spec, obj)
        if actual is None:
            # Guess: a missing value (no NextRun, no EndTime yet) matches no
            # comparison, as NULL does in SQL.
            return False
        return compare(actual, wanted)
    return predicate


Lookup = Callable[[FieldSpec, str], Iterable[Any]]
# (field, operator, converted value) -> the objects whose value can satisfy the comparison, None = not indexed.
RangeLookup = Callable[[FieldSpec, str, Any], "Iterable[Any] | None"]


def candidates(node: Node | None, fields: Fields, lookup: Lookup | None,
               range_lookup: RangeLookup | None = None) -> dict[int, Any] | None:
    """Objects (keyed by id()) that can possibly match, taken from the indexes;
    None = every object. Lets Name/UID equality on 50,000 jobs skip a full scan, and
    CreationTime>="<a day ago>" on 300,000 sessions read only that day's."""
    if node is None:
        return None
    if isinstance(node, Cmp):
        spec = fields.get(node.field.lower())
        if spec is None:
            return None
        if spec.ranged and range_lookup is not None:
            found = range_lookup(spec, node.op, convert(spec, node.value)) if node.op != "!=" else None
            return None if found is None else {id(o): o for o in found}
        if not spec.indexed or node.op != "==" or lookup is None:
            return None
        return {id(o): o for o in lookup(spec, node.value)}
    if node.op == "and" and range_lookup is not None:
        # An equality index (JobName, JobUid) narrows an AND enough: the sorted index is not built for it.
        exact = [candidates(n, fields, lookup) for n in node.items]
        if any(f is not None for f in exact):
            return candidates(node, fields, lookup)
    found = [candidates(n, fields, lookup, range_lookup) for n in node.items]
    if node.op == "and":
        known = [f for f in found if f is not None]
        if not known:
            return None
        smallest = min(known, key=len)
        return {k: v for k, v in smallest.items() if all(k in f for f in known)}
    if any(f is None for f in found):
        return None
    out: dict[int, Any] = {}
    for f in found:
        out.update(f)  # type: ignore[arg-type]
    return out


def sort_key(spec: FieldSpec) -> Callable[[Any], tuple[int, Any]]:
    def key(obj: Any) -> tuple[int, Any]:
        v = value_of(spec, obj)
        # Guess: missing values sort first ascending, as NULLs do in SQL Server.
        return (0, 0) if v is None else (1, v)
    return key


def is_dynamic(src: str | None, fields: Fields, sort_field: str | None = None) -> bool:
    """Whether the filter or the sort of a (valid) query reads a field whose value changes with time alone."""
    def walk(node: Node | None) -> bool:
        if node is None:
            return False
        if isinstance(node, BoolOp):
            return any(walk(n) for n in node.items)
        return field_spec(fields, node.field, "").dynamic
    sort_dynamic = field_spec(fields, sort_field, "").dynamic if sort_field else False
    return sort_dynamic or walk(parse_filter(src) if src else None)


def run_query(items: Sequence[Any] | Callable[[], Sequence[Any]], src: str | None, fields: Fields, type_name: str,
              lookup: Lookup | None = None, sort_field: str | None = None,
              descending: bool = False, unquoted_datetimes: bool = True,
              range_lookup: RangeLookup | None = None) -> list[Any]:
    """Filter then sort. Objects carry `index` (their position in `items`) so that
    index hits come back in collection order. `items` may be a callable, called only when
    no index answers the filter (task sessions and restore points are built on demand)."""
    def every() -> Sequence[Any]:
        return items() if callable(items) else items
    node = parse_filter(src) if src else None
    sort_spec = field_spec(fields, sort_field, type_name) if sort_field else None
    if node is not None:
        pred = compile_filter(node, fields, type_name, unquoted_datetimes)
        found = candidates(node, fields, lookup, range_lookup) if lookup or range_lookup else None
        pool: Iterable[Any] = every() if found is None else sorted(found.values(), key=lambda o: o.index)
        result = [o for o in pool if pred(o)]
    else:
        result = list(every())
    if sort_spec is not None:
        result.sort(key=sort_key(sort_spec), reverse=descending)
    return result
