"""A small BSL lexer and module outline, enough for the semantic checks.

The grammar (tree-sitter) only gates syntax; the checks below need tokens with
line numbers and the list of methods with their annotations, parameters and
the comment block above them. BSL is case-insensitive: compare with `key()`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

IDENT, STRING, NUMBER, DATE, PUNCT, ANNOTATION, PREPROC, COMMENT = (
    "ident", "string", "number", "date", "punct", "annotation", "preproc", "comment")


def key(word: str) -> str:
    return word.casefold().replace("ё", "е")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str  # for STRING: the value with "" unescaped and `|` continuations joined
    line: int


_IDENT_RE = re.compile(r"[^\W\d]\w*")
_NUMBER_RE = re.compile(r"\d+(\.\d+)?")


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    i, line, n = 0, 1, len(source)
    while i < n:
        ch = source[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch in " \t\r\ufeff\xa0":
            i += 1
        elif source.startswith("//", i):
            end = source.find("\n", i)
            end = n if end < 0 else end
            tokens.append(Token(COMMENT, source[i + 2:end].strip(), line))
            i = end
        elif ch == '"':
            start_line, parts, i = line, [], i + 1
            while i < n:
                c = source[i]
                if c == '"':
                    if source.startswith('""', i):
                        parts.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                if c == "\n":
                    line += 1
                    parts.append("\n")
                    i += 1
                    # a continuation line: spaces, then `|` (or a comment line inside the literal)
                    while i < n and source[i] in " \t\r":
                        i += 1
                    if source.startswith("//", i):
                        end = source.find("\n", i)
                        i = n if end < 0 else end
                        parts.pop()
                        continue
                    if i < n and source[i] == "|":
                        i += 1
                    continue
                parts.append(c)
                i += 1
            tokens.append(Token(STRING, "".join(parts), start_line))
        elif ch == "'":
            end = source.find("'", i + 1)
            end = n if end < 0 else end
            tokens.append(Token(DATE, source[i + 1:end], line))
            i = end + 1
        elif ch == "&":
            m = _IDENT_RE.match(source, i + 1)
            word = m.group(0) if m else ""
            tokens.append(Token(ANNOTATION, word, line))
            i = (m.end() if m else i + 1)
        elif ch == "#":
            end = source.find("\n", i)
            end = n if end < 0 else end
            tokens.append(Token(PREPROC, source[i + 1:end].strip(), line))
            i = end
        elif ch == "~":
            m = _IDENT_RE.match(source, i + 1)
            i = m.end() if m else i + 1  # a label: not an identifier of interest
        elif ch.isdigit():
            m = _NUMBER_RE.match(source, i)
            assert m
            tokens.append(Token(NUMBER, m.group(0), line))
            i = m.end()
        else:
            m = _IDENT_RE.match(source, i)
            if m:
                tokens.append(Token(IDENT, m.group(0), line))
                i = m.end()
            else:
                two = source[i:i + 2]
                if two in ("<>", "<=", ">="):
                    tokens.append(Token(PUNCT, two, line))
                    i += 2
                else:
                    tokens.append(Token(PUNCT, ch, line))
                    i += 1
    return tokens


PROCEDURE = {key(w) for w in ("Процедура", "Procedure")}
FUNCTION = {key(w) for w in ("Функция", "Function")}
END_METHOD = {key(w) for w in ("КонецПроцедуры", "EndProcedure", "КонецФункции", "EndFunction")}
ASYNC = {key(w) for w in ("Асинх", "Async")}
VAL = {key(w) for w in ("Знач", "Val")}
EXPORT = {key(w) for w in ("Экспорт", "Export")}

COMPILATION_DIRECTIVES = {key(w): w for w in (
    "НаКлиенте", "НаСервере", "НаСервереБезКонтекста", "НаКлиентеНаСервереБезКонтекста",
    "НаКлиентеНаСервере", "AtClient", "AtServer", "AtServerNoContext",
    "AtClientAtServerNoContext", "AtClientAtServer")}
_ENGLISH_DIRECTIVE = {"atclient": "НаКлиенте", "atserver": "НаСервере",
                      "atservernocontext": "НаСервереБезКонтекста",
                      "atclientatservernocontext": "НаКлиентеНаСервереБезКонтекста",
                      "atclientatserver": "НаКлиентеНаСервере"}
HOOK_ANNOTATIONS = {key(w): ru for w, ru in (
    ("Перед", "Перед"), ("После", "После"), ("Вместо", "Вместо"),
    ("ИзменениеИКонтроль", "ИзменениеИКонтроль"), ("Before", "Перед"), ("After", "После"),
    ("Around", "Вместо"), ("ChangeAndValidate", "ИзменениеИКонтроль"))}


def directive_name(word: str) -> str:
    """Canonical (Russian) name of a compilation directive."""
    k = key(word)
    return _ENGLISH_DIRECTIVE.get(k, COMPILATION_DIRECTIVES.get(k, word))


@dataclass
class Param:
    name: str
    by_value: bool
    has_default: bool
    line: int


@dataclass
class Annotation:
    name: str
    argument: str | None
    line: int


@dataclass
class Method:
    name: str
    kind: str  # "Процедура" | "Функция"
    line: int  # the line of the declaration keyword
    header_line: int  # first line of the annotations, or the declaration
    params: list[Param]
    export: bool
    annotations: list[Annotation]
    comments: list[Token]  # the comment block directly above (and between) the header lines
    body: list[Token] = field(default_factory=list)  # tokens between `)`/Экспорт and the end keyword

    @property
    def directives(self) -> set[str]:
        return {directive_name(a.name) for a in self.annotations
                if key(a.name) in COMPILATION_DIRECTIVES}

    @property
    def hook(self) -> Annotation | None:
        for a in self.annotations:
            if key(a.name) in HOOK_ANNOTATIONS:
                return a
        return None


@dataclass
class Module:
    path: Path
    source: str
    tokens: list[Token]
    methods: list[Method]

    def method(self, name: str) -> Method | None:
        for m in self.methods:
            if key(m.name) == key(name):
                return m
        return None


def parse_module(path: Path) -> Module:
    source = path.read_text(encoding="utf-8-sig", errors="replace")
    tokens = tokenize(source)
    return Module(path, source, tokens, outline(tokens))


def outline(tokens: list[Token]) -> list[Method]:
    methods: list[Method] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        k = key(tok.text) if tok.kind == IDENT else ""
        if k in PROCEDURE or k in FUNCTION:
            decl = i
            if i > 0 and tokens[i - 1].kind == IDENT and key(tokens[i - 1].text) in ASYNC:
                decl = i - 1
            annotations, comments, j = _header_above(tokens, decl)
            name_tok = tokens[i + 1] if i + 1 < n else tok
            params, i = _params(tokens, i + 2)
            export = i < n and tokens[i].kind == IDENT and key(tokens[i].text) in EXPORT
            if export:
                i += 1
            body_start = i
            while i < n and not (tokens[i].kind == IDENT and key(tokens[i].text) in END_METHOD):
                i += 1
            header_line = annotations[0].line if annotations else tokens[decl].line
            methods.append(Method(
                name=name_tok.text, kind="Процедура" if k in PROCEDURE else "Функция",
                line=tok.line, header_line=header_line, params=params, export=export,
                annotations=annotations, comments=comments, body=tokens[body_start:i]))
        i += 1
    return methods


def _header_above(tokens: list[Token], decl: int) -> tuple[list[Annotation], list[Token], int]:
    """Annotations `&X` / `&X("arg")` and the comments directly above a declaration.

    Comments count when they sit on the lines right above the header (no blank
    line, no code between) or between its annotation lines.
    """
    annotations: list[Annotation] = []
    comments: list[Token] = []
    j = decl - 1
    expected_line = tokens[decl].line
    while j >= 0:
        t = tokens[j]
        if t.kind == PUNCT and t.text == ")":
            # &Name("arg")
            k = j - 1
            while k >= 0 and not (tokens[k].kind == PUNCT and tokens[k].text == "("):
                k -= 1
            if k >= 1 and tokens[k - 1].kind == ANNOTATION:
                args = [x.text for x in tokens[k + 1:j] if x.kind == STRING]
                annotations.insert(0, Annotation(tokens[k - 1].text, args[0] if args else None,
                                                 tokens[k - 1].line))
                expected_line = tokens[k - 1].line
                j = k - 2
                continue
            break
        if t.kind == ANNOTATION:
            annotations.insert(0, Annotation(t.text, None, t.line))
            expected_line = t.line
            j -= 1
            continue
        if t.kind == COMMENT and t.line >= expected_line - 1:
            comments.insert(0, t)
            expected_line = t.line
            j -= 1
            continue
        break
    return annotations, comments, j


def _params(tokens: list[Token], i: int) -> tuple[list[Param], int]:
    params: list[Param] = []
    n = len(tokens)
    if i >= n or tokens[i].text != "(":
        return params, i
    i += 1
    by_value, name, has_default, depth, line = False, None, False, 0, 0
    while i < n:
        t = tokens[i]
        if t.kind == PUNCT and t.text == "(":
            depth += 1
        elif t.kind == PUNCT and t.text == ")" and depth:
            depth -= 1
        elif t.kind == PUNCT and t.text in (",", ")") and not depth:
            if name is not None:
                params.append(Param(name, by_value, has_default, line))
            by_value, name, has_default = False, None, False
            if t.text == ")":
                return params, i + 1
        elif t.kind == PUNCT and t.text == "=" and not depth:
            has_default = True
        elif t.kind == IDENT and name is None and not has_default:
            if key(t.text) in VAL:
                by_value = True
            else:
                name, line = t.text, t.line
        i += 1
    return params, i


def string_tokens(module: Module) -> list[Token]:
    return [t for t in module.tokens if t.kind == STRING]
