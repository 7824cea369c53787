"""Check 2: BSL reserved words used as names.

The grammar accepts `Для Каждого Возврат Из Данные Цикл` and friends; the
platform does not. Names are looked at where they are declared or assigned:
method names, parameters, `Перем`, loop variables and assignment targets.
"""
from __future__ import annotations

from bsl import IDENT, PUNCT, Module, Token, key
from findings import Report

CHECK = "reserved"

RESERVED_WORDS = (
    "Если If Тогда Then ИначеЕсли ElsIf Иначе Else КонецЕсли EndIf Для For Каждого Each Из In "
    "По To Пока While Цикл Do КонецЦикла EndDo Процедура Procedure Функция Function "
    "КонецПроцедуры EndProcedure КонецФункции EndFunction Перем Var Перейти Goto Возврат Return "
    "Продолжить Continue Прервать Break И And Или Or Не Not Попытка Try Исключение Except "
    "ВызватьИсключение Raise КонецПопытки EndTry Новый New Выполнить Execute Знач Val "
    "Экспорт Export Истина True Ложь False Неопределено Undefined Null Асинх Async Ждать Await "
    "ДобавитьОбработчик AddHandler УдалитьОбработчик RemoveHandler").split()
RESERVED = {key(w) for w in RESERVED_WORDS}

# After these tokens a new statement starts (so `X =` there is an assignment).
_STATEMENT_START = {key(w) for w in (
    "Тогда Then Иначе Else Цикл Do Попытка Try Исключение Except").split()}


def check(module: Module, report: Report) -> None:
    def flag(tok: Token, what: str) -> None:
        if tok.kind == IDENT and key(tok.text) in RESERVED:
            report.add(module.path, tok.line, CHECK,
                       f"reserved word `{tok.text}` used as {what}")

    for m in module.methods:
        report_name = next((t for t in module.tokens if t.line == m.line and t.text == m.name), None)
        if report_name:
            flag(report_name, "a method name")
        for p in m.params:
            if key(p.name) in RESERVED:
                report.add(module.path, p.line, CHECK, f"reserved word `{p.name}` used as a parameter name")

    toks = module.tokens
    for i, t in enumerate(toks):
        if t.kind != IDENT:
            continue
        k = key(t.text)
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if k in ("для", "for") and nxt is not None:
            if nxt.kind == IDENT and key(nxt.text) in ("каждого", "each"):
                if i + 2 < len(toks):
                    flag(toks[i + 2], "a loop variable")
            else:
                flag(nxt, "a loop variable")
        elif k in ("перем", "var"):
            j = i + 1
            while j < len(toks):
                flag(toks[j], "a variable name")
                if j + 1 < len(toks) and toks[j + 1].text == ",":
                    j += 2
                    continue
                break
        elif nxt is not None and nxt.kind == PUNCT and nxt.text == "=" and k in RESERVED:
            prev = toks[i - 1] if i else None
            if (prev is None or (prev.kind == PUNCT and prev.text == ";")
                    or (prev.kind == IDENT and key(prev.text) in _STATEMENT_START)
                    or prev.line < t.line and prev.kind != PUNCT):
                flag(t, "a variable name (assignment target)")
