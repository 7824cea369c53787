"""Check 1: the BSL syntax gate (tree-sitter-hbk) plus the gaps of that grammar.

Any ERROR or MISSING node fails. The grammar accepts two things the platform
refuses, so they are checked here on the tree / the tokens (see README):
  - two statements without `;` between them;
  - unbalanced `#Вставка`/`#КонецВставки`, `#Удаление`/`#КонецУдаления`,
    `#Область`/`#КонецОбласти`, `#Если`/`#КонецЕсли`.
"""
from __future__ import annotations

from pathlib import Path

import tree_sitter
import tree_sitter_hbk

from bsl import PREPROC, Module, key
from findings import Report

CHECK = "syntax"
_LANGUAGE = tree_sitter.Language(tree_sitter_hbk.language())

_PAIRS = {  # opening directive -> closing directive
    "вставка": "конецвставки", "insert": "endinsert",
    "удаление": "конецудаления", "delete": "enddelete",
    "область": "конецобласти", "region": "endregion",
    "если": "конецесли", "if": "endif",
}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


def check(module: Module, report: Report) -> None:
    parser = tree_sitter.Parser(_LANGUAGE)
    tree = parser.parse(module.source.encode("utf-8"))
    _walk(tree.root_node, module.path, report)
    _preprocessor_balance(module, report)


def _walk(node: tree_sitter.Node, path: Path, report: Report) -> None:
    stack = [node]
    while stack:
        n = stack.pop()
        line = n.start_point[0] + 1
        if n.is_missing:
            report.add(path, line, CHECK, f"syntax error: missing `{n.type}`")
            continue
        if n.is_error:
            snippet = n.text.decode("utf-8", "replace").strip().splitlines()
            report.add(path, line, CHECK,
                       f"syntax error near `{snippet[0][:60] if snippet else ''}`")
            continue
        children = n.children
        for a, b in zip(children, children[1:]):
            if (a.type.endswith("_statement") and b.type.endswith("_statement")
                    and a.type != "var_statement" and a.children and a.children[-1].type != ";"):
                report.add(path, a.end_point[0] + 1, CHECK,
                           "syntax error: missing `;` between two statements")
        stack.extend(reversed(children))


def _preprocessor_balance(module: Module, report: Report) -> None:
    open_stack: list[tuple[str, int]] = []
    for tok in module.tokens:
        if tok.kind != PREPROC:
            continue
        word = key(tok.text.split()[0]) if tok.text.split() else ""
        if word in _PAIRS:
            open_stack.append((word, tok.line))
        elif word in _CLOSERS:
            if not open_stack or open_stack[-1][0] != _CLOSERS[word]:
                report.add(module.path, tok.line, CHECK, f"`#{tok.text.split()[0]}` without its opening directive")
            else:
                open_stack.pop()
    for word, line in open_stack:
        report.add(module.path, line, CHECK, f"`#{word}` is never closed (`#{_PAIRS[word]}` missing)")
