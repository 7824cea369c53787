"""Check 5: JSON field names and literal types against the tree's OpenAPI document.

A method that builds or reads Naparnik JSON carries `// Схема: A, B` in the
comment block directly above its header (above or between the annotation
lines). Inside it every string key of `.Вставить("k", …)`, `.Получить("k")`
and `["k"]` must be a property of A, B or a schema reachable from them; a
literal value in `Вставить` must fit the property's type. A method without such a
line that uses a JSON-looking key (`snake_case` ASCII) that way is reported too.
`Поле(Данные, "k")` (the extension's field reader) counts as a read of "k".
Keys written on a receiver named `Заголовки…`/`Headers…` are HTTP headers and
are not JSON.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from bsl import IDENT, NUMBER, PUNCT, STRING, Method, Module, Token, key
from findings import Report

CHECK = "json"
_SCHEMA_LINE = re.compile(r"^(?:Схема|Schema)\s*:\s*(.+)$", re.I)
_INSERT = {key("Вставить"), key("Insert")}
_GET = {key("Получить"), key("Get")}
_FIELD_HELPERS = {key("Поле")}
_JSON_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_HEADER_RECEIVERS = ("заголовки", "headers")


class OpenApi:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.doc = json.loads(path.read_text(encoding="utf-8"))
        self.schemas: dict = self.doc.get("components", {}).get("schemas", {})

    def resolve(self, schema: dict) -> dict:
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 50:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.schemas.get(name, {})
            seen += 1
        return schema if isinstance(schema, dict) else {}

    def properties(self, names: list[str]) -> dict[str, list[dict]]:
        """Every property name reachable from the named schemas -> its schemas."""
        props: dict[str, list[dict]] = {}
        seen: set[int] = set()
        stack = [self.schemas[n] for n in names if n in self.schemas]
        while stack:
            s = self.resolve(stack.pop())
            if id(s) in seen:
                continue
            seen.add(id(s))
            for name, sub in s.get("properties", {}).items():
                props.setdefault(name, []).append(sub)
                stack.append(sub)
            for k in ("oneOf", "anyOf", "allOf", "prefixItems"):
                stack.extend(s.get(k, []))
            for k in ("items", "additionalProperties", "not"):
                if isinstance(s.get(k), dict):
                    stack.append(s[k])
        return props

    def types(self, schema: dict) -> set[str] | None:
        """JSON types a property admits; None = anything."""
        s = self.resolve(schema)
        out: set[str] = set()
        t = s.get("type")
        if isinstance(t, str):
            out.add(t)
        elif isinstance(t, list):
            out.update(t)
        for k in ("oneOf", "anyOf", "allOf"):
            for sub in s.get(k, []):
                more = self.types(sub)
                if more is None:
                    return None
                out |= more
        if "properties" in s:
            out.add("object")
        if "enum" in s and not t:
            out.update({_json_type(v) for v in s["enum"]})
        if "const" in s and not t:
            out.add(_json_type(s["const"]))
        if s.get("nullable"):
            out.add("null")
        if "integer" in out:
            out.add("number_int")
        return out or None


def _json_type(v: object) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if v is None:
        return "null"
    return {str: "string", list: "array", dict: "object"}.get(type(v), "string")


def _literal_type(tokens: list[Token]) -> str | None:
    """The JSON type of a literal value expression, or None if it is not a plain literal."""
    if not tokens:
        return None
    words = [key(t.text) for t in tokens]
    if len(tokens) == 1:
        t = tokens[0]
        if t.kind == STRING:
            return "string"
        if t.kind == NUMBER:
            return "number" if "." in t.text else "integer"
        if words[0] in (key("Истина"), key("Ложь"), "true", "false"):
            return "boolean"
    if len(tokens) == 2 and tokens[0].text == "-" and tokens[1].kind == NUMBER:
        return "number" if "." in tokens[1].text else "integer"
    if words[0] in (key("Новый"), "new") and len(tokens) >= 2:
        rest = [w for w in words[2:] if w not in ("(", ")")]
        if not rest:
            if words[1] in (key("Массив"), "array"):
                return "array"
            if words[1] in (key("Соответствие"), key("Структура"), "map", "structure"):
                return "object"
    return None


def _fits(literal: str, allowed: set[str]) -> bool:
    if literal in allowed:
        return True
    if literal == "integer" and "number" in allowed:
        return True
    if literal == "number" and "integer" in allowed:
        return False
    return False


def check(module: Module, openapi: OpenApi | None, report: Report) -> int:
    checked = 0
    for m in module.methods:
        names: list[str] = []
        line = m.header_line
        for c in m.comments:
            match = _SCHEMA_LINE.match(c.text)
            if match:
                names += [n.strip() for n in match.group(1).split(",") if n.strip()]
                line = c.line
        if not names:
            json_keys = [(k.text, k.line) for k, _ in _keys(m.body) if _JSON_KEY.match(k.text)]
            if json_keys:
                report.add(module.path, json_keys[0][1], CHECK,
                           f"`{m.name}` uses JSON field `{json_keys[0][0]}` but has no "
                           "`// Схема: <schema>` line above its header")
            continue
        if openapi is None:
            report.add(module.path, line, CHECK, "`// Схема:` used, but this tree has no OpenAPI document")
            continue
        unknown = [n for n in names if n not in openapi.schemas]
        for n in unknown:
            report.add(module.path, line, CHECK,
                       f"unknown schema `{n}` (not in components.schemas of {openapi.path.name})")
        props = openapi.properties([n for n in names if n not in unknown])
        checked += _check_body(module, m, names, props, openapi, report)
    return checked


def _keys(body: list[Token]):
    """(key token, value tokens or None) for every Вставить/Получить/[]/Поле with a string key."""
    for i, t in enumerate(body):
        if t.kind == PUNCT and t.text == "." and i + 3 < len(body) and body[i + 1].kind == IDENT \
                and body[i + 2].text == "(" and body[i + 3].kind == STRING:
            verb = key(body[i + 1].text)
            receiver = body[i - 1].text if i else ""
            if verb not in _INSERT and verb not in _GET and verb not in _FIELD_HELPERS:
                continue
            if key(receiver).startswith(_HEADER_RECEIVERS):
                continue
            value = None
            if verb in _INSERT and i + 4 < len(body) and body[i + 4].text == ",":
                value = _argument(body, i + 5)
            yield body[i + 3], value
        elif t.kind == PUNCT and t.text == "[" and i + 2 < len(body) and body[i + 1].kind == STRING \
                and body[i + 2].text == "]":
            yield body[i + 1], None
        elif t.kind == IDENT and key(t.text) in _FIELD_HELPERS and i + 1 < len(body) and body[i + 1].text == "(":
            args = _argument(body, i + 2)
            j = i + 2 + len(args)
            if j + 1 < len(body) and body[j].text == "," and body[j + 1].kind == STRING:
                yield body[j + 1], None


def _check_body(module: Module, m: Method, names: list[str], props: dict[str, list[dict]],
                openapi: OpenApi, report: Report) -> int:
    checked = 0
    shown = ", ".join(names)
    for field_tok, value in _keys(m.body):
        if not field_tok.text.isascii():
            continue  # a Russian key is a Структура of 1C's own (ДополнительныеСвойства …), never bridge JSON
        checked += 1
        name = field_tok.text
        if name not in props:
            report.add(module.path, field_tok.line, CHECK,
                       f"JSON field `{name}` is not a property of {shown} (or of a schema reachable from them)")
            continue
        literal = _literal_type(value) if value else None
        if literal is None:
            continue
        allowed: set[str] = set()
        for schema in props[name]:
            types = openapi.types(schema)
            if types is None:
                allowed = set()
                break
            allowed |= types
        if allowed and not _fits(literal, allowed):
            report.add(module.path, field_tok.line, CHECK,
                       f"JSON field `{name}` gets a {literal} literal, the schema says "
                       f"{'/'.join(sorted(a for a in allowed if a != 'number_int'))}")
    return checked


def _argument(body: list[Token], i: int) -> list[Token]:
    """Tokens of one call argument starting at i, up to `,` or `)` at depth 0."""
    out: list[Token] = []
    depth = 0
    while i < len(body):
        t = body[i]
        if t.kind == PUNCT and t.text in "([":
            depth += 1
        elif t.kind == PUNCT and t.text in ")]":
            if depth == 0:
                break
            depth -= 1
        elif t.kind == PUNCT and t.text == "," and depth == 0:
            break
        if t.kind != "comment":
            out.append(t)
        i += 1
    return out
