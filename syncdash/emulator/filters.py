"""The OData ``$filter`` subset Graph accepts on directory objects, parsed and evaluated.

Graph refuses much of OData: operators beyond a per-property list need "advanced query"
mode (``ConsistencyLevel: eventual`` + ``$count=true``) and some filters are refused
outright. The emulator refuses the same things so no client test can lean on leniency.
String comparisons are case-insensitive, as they are for directory objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from syncdash.emulator.odata_errors import bad_request, unsupported
from syncdash.emulator.schema import Schema

Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<punct>[(),:])|(?P<word>[A-Za-z_$][\w$./]*))"
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str

    @property
    def value(self) -> Any:
        if self.kind == "string":
            return self.text[1:-1].replace("''", "'")
        if self.kind == "number":
            return float(self.text) if "." in self.text else int(self.text)
        return {"true": True, "false": False, "null": None}[self.text]


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match:
            raise bad_request(f"Syntax error at position {position} in '{text}'.")
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind)))
        position = match.end()
    return tokens


def fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _equal(left: Any, right: Any) -> bool:
    return fold(left) == fold(right)


_COMPARE = {
    "eq": _equal,
    "ne": lambda a, b: not _equal(a, b),
}


class FilterParser:
    """Recursive descent over the tokens, building a predicate and checking Graph's rules."""

    def __init__(self, text: str, schema: Schema, advanced: bool):
        self.text = text
        self.tokens = tokenize(text)
        self.position = 0
        self.schema = schema
        self.advanced = advanced

    # -- token helpers -------------------------------------------------------------
    def peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, text: str | None = None) -> Token:
        token = self.peek()
        if token is None or (text is not None and token.text.lower() != text):
            expected = f"'{text}'" if text else "more input"
            raise bad_request(f"Syntax error: expected {expected} in '{self.text}'.")
        self.position += 1
        return token

    def at(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text.lower() == text

    def literal(self) -> Any:
        token = self.take()
        if token.kind in ("string", "number") or token.text in ("true", "false", "null"):
            return token.value
        raise bad_request(f"Syntax error: '{token.text}' is not a literal in '{self.text}'.")

    # -- Graph's rules ---------------------------------------------------------------
    def allow(self, prop: str, operator: str) -> None:
        rule = self.schema.filterable.get(prop)
        if prop.split("/")[0] not in self.schema.properties:
            raise bad_request(
                f"Could not find a property named '{prop}' on type '{self.schema.odata_type}'."
            )
        default_ops, advanced_ops = rule or ((), ())
        if operator in default_ops or (self.advanced and operator in advanced_ops):
            return
        raise unsupported(
            "Unsupported or invalid query filter clause specified for property "
            f"'{prop}' of resource '{self.schema.name}'."
        )

    # -- grammar -------------------------------------------------------------------
    def parse(self) -> Predicate:
        predicate = self.disjunction()
        if (token := self.peek()) is not None:
            raise bad_request(f"Syntax error at '{token.text}' in '{self.text}'.")
        return predicate

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while self.at("or"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda obj: any(p(obj) for p in parts))

    def conjunction(self) -> Predicate:
        parts = [self.unary()]
        while self.at("and"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda obj: all(p(obj) for p in parts))

    def unary(self) -> Predicate:
        if self.at("not"):
            self.take()
            if not self.advanced:
                raise unsupported("The 'not' operator requires advanced query parameters.")
            inner = self.unary()
            return lambda obj: not inner(obj)
        token = self.peek()
        if token is not None and token.kind == "punct" and token.text == "(":
            self.take("(")
            inner = self.disjunction()
            self.take(")")
            return inner
        return self.term()

    def term(self) -> Predicate:
        word = self.take()
        if word.kind != "word":
            raise bad_request(f"Syntax error at '{word.text}' in '{self.text}'.")
        name = word.text
        if name.lower() in ("startswith", "endswith"):
            return self.function(name.lower())
        if "/" in name:
            return self.collection_clause(name)
        operator = self.take().text.lower()
        if operator == "in":
            self.allow(name, "in")
            self.take("(")
            values = [self.literal()]
            while (token := self.peek()) is not None and token.text == ",":
                self.take(",")
                values.append(self.literal())
            self.take(")")
            folded = {fold(v) for v in values}
            return lambda obj: fold(obj.get(name)) in folded
        if operator not in _COMPARE:
            raise unsupported(f"Operator '{operator}' is not supported.")
        self.allow(name, operator)
        value = self.literal()
        compare = _COMPARE[operator]
        return lambda obj: compare(obj.get(name), value)

    def call(self, function: str) -> tuple[str, str]:
        """``(target, 'literal')`` after a function name: the target and the folded literal."""
        self.take("(")
        target = self.take().text
        self.take(",")
        value = self.literal()
        self.take(")")
        if not isinstance(value, str):
            raise bad_request(f"{function} expects a string literal.")
        return target, value.casefold()

    def function(self, function: str) -> Predicate:
        prop, wanted = self.call(function)
        self.allow(prop, function)
        if function == "startswith":
            return lambda obj: isinstance(obj.get(prop), str) and obj[prop].casefold().startswith(wanted)
        return lambda obj: isinstance(obj.get(prop), str) and obj[prop].casefold().endswith(wanted)

    def collection_clause(self, path: str) -> Predicate:
        """``prop/any(x:x eq 'v')``, ``prop/any(x:x/field eq 'v')`` or ``prop/$count op n``."""
        prop, _, rest = path.partition("/")
        if rest.lower() == "$count":
            operator = self.take().text.lower()
            if operator not in ("eq", "ne", "gt", "lt", "ge", "le"):
                raise bad_request(f"Syntax error: '{operator}' after $count.")
            self.allow(prop, "$count")
            number = self.literal()
            check = {
                "eq": lambda n: n == number, "ne": lambda n: n != number,
                "gt": lambda n: n > number, "lt": lambda n: n < number,
                "ge": lambda n: n >= number, "le": lambda n: n <= number,
            }[operator]
            return lambda obj: check(len(obj.get(prop) or []))
        if rest.lower() != "any":
            raise unsupported(f"Unsupported query: '{path}'.")
        self.take("(")
        variable = self.take().text
        self.take(":")
        if (token := self.peek()) is not None and token.text.lower() == "startswith":
            return self.any_startswith(prop, variable)
        target = self.take().text
        field = None
        if target.startswith(variable + "/"):
            field = target[len(variable) + 1 :]
        elif target != variable:
            raise bad_request(f"Syntax error: unknown range variable in '{self.text}'.")
        operator = self.take().text.lower()
        if operator not in _COMPARE:
            raise unsupported(f"Operator '{operator}' is not supported inside any().")
        self.allow(f"{prop}/{field}" if field else prop, f"any:{operator}")
        value = self.literal()
        self.take(")")
        compare = _COMPARE[operator]

        def any_match(obj: dict[str, Any]) -> bool:
            items = obj.get(prop) or []
            if field is None:
                return any(compare(item, value) for item in items)
            return any(isinstance(item, dict) and compare(item.get(field), value) for item in items)

        return any_match


    def any_startswith(self, prop: str, variable: str) -> Predicate:
        """``prop/any(x:startswith(x,'v'))`` on a string collection such as proxyAddresses."""
        self.take()
        target, wanted = self.call("startswith")
        if target != variable:
            raise bad_request(f"Syntax error: unknown range variable in '{self.text}'.")
        self.take(")")
        self.allow(prop, "any:startswith")
        return lambda obj: any(isinstance(item, str) and item.casefold().startswith(wanted)
                               for item in obj.get(prop) or [])


def compile_filter(text: str, schema: Schema, *, advanced: bool) -> Predicate:
    """A predicate over stored objects, or a GraphRefusal as Graph would answer."""
    return FilterParser(text, schema, advanced).parse()
