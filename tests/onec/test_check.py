#!/usr/bin/env python3
"""Each check of tests/onec/check.py can fail: the valid fixture tree passes,
and every single break of it is caught with the expected message.

    python3 -m unittest tests/onec/test_check.py   (or run this file)
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "retail"
CHECK = HERE / "check.py"

OBJECT_MODULE = "src/Documents/ЧекККМ/Ext/ObjectModule.bsl"
COMMON_MODULE = "src/CommonModules/Тст_Клиент/Ext/Module.bsl"
REGISTER = "src/InformationRegisters/Тст_Очередь.xml"


def run(tree: Path) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, str(CHECK), str(tree)], capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


class Fixture(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="onec-check-"))
        # the tree sits in a folder named `retail` so that the retail profile applies
        self.root = self.tmp / "retail"
        shutil.copytree(FIXTURE, self.root)

    def tearDown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        self.assertIn(old, text, f"fixture changed: {old!r} not in {rel}")
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def assert_caught(self, rel: str, line: int | None, *message: str) -> None:
        code, out = run(self.root / "src")
        self.assertEqual(code, 1, out)
        hits = [ln for ln in out.splitlines() if rel.split("/", 1)[1] in ln
                and (line is None or f":{line}: " in ln) and all(m in ln for m in message)]
        self.assertTrue(hits, f"expected {rel}:{line}: …{' … '.join(message)}… in\n{out}")


class ValidTree(Fixture):
    def test_unbroken_fixture_passes(self) -> None:
        code, out = run(self.root / "src")
        self.assertEqual(code, 0, out)
        self.assertIn("confirmed_2_3: yes", out)
        self.assertIn("JSON fields checked: 7", out)


class EachCheckFails(Fixture):
    # 3. hooks
    def test_hook_parameter_count(self) -> None:
        self.edit(OBJECT_MODULE, "(Отказ, РежимПроведения)", "(Отказ)")
        self.assert_caught(OBJECT_MODULE, 2, "[hooks]", "has 1 parameter(s)", "has 2")

    def test_hook_parameter_name(self) -> None:
        self.edit(OBJECT_MODULE, "(Отказ, РежимПроведения)", "(Отказ, Режим)")
        self.assert_caught(OBJECT_MODULE, 2, "[hooks]", "parameter `Режим` is `РежимПроведения`")

    def test_hook_directive(self) -> None:
        self.edit(OBJECT_MODULE, '&После("ОбработкаПроведения")', '&НаСервере\n&После("ОбработкаПроведения")')
        self.assert_caught(OBJECT_MODULE, 1, "[hooks]", "has &НаСервере", "has no directive")

    def test_hook_on_missing_procedure(self) -> None:
        self.edit(OBJECT_MODULE, '&После("ОбработкаПроведения")', '&После("ОбработкаПроведенияЧека")')
        self.assert_caught(OBJECT_MODULE, 1, "[hooks]", "no `ОбработкаПроведенияЧека` in Документ.ЧекККМ")

    def test_hook_with_target_name(self) -> None:
        self.edit(OBJECT_MODULE, "Процедура Тст_ОбработкаПроведенияПосле(", "Процедура ОбработкаПроведения(")
        self.assert_caught(OBJECT_MODULE, 2, "[hooks]", "has the target's own name")

    # 2. reserved words
    def test_reserved_word_as_loop_variable(self) -> None:
        self.edit(COMMON_MODULE, "Для Каждого Товар Из", "Для Каждого Возврат Из")
        self.assert_caught(COMMON_MODULE, 10, "[reserved]", "`Возврат` used as a loop variable")

    def test_reserved_word_as_parameter(self) -> None:
        self.edit(COMMON_MODULE, "Функция ЧекПринят(Ответ)", "Функция ЧекПринят(Если)")
        self.assert_caught(COMMON_MODULE, 21, "[reserved]", "`Если` used as a parameter name")

    # 1. syntax
    def test_syntax_error(self) -> None:
        self.edit(COMMON_MODULE, "\tВозврат Данные;", "\tВозврат Данные +;")
        self.assert_caught(COMMON_MODULE, 17, "[syntax]", "syntax error")

    def test_missing_semicolon(self) -> None:
        self.edit(COMMON_MODULE, "Данные = Новый Соответствие;", "Данные = Новый Соответствие")
        self.assert_caught(COMMON_MODULE, 6, "[syntax]", "missing `;`")

    def test_unclosed_insert(self) -> None:
        self.edit(OBJECT_MODULE, "\t\tВозврат;", "\t\t#Вставка\n\t\tВозврат;")
        self.assert_caught(OBJECT_MODULE, 4, "[syntax]", "never closed")

    # 5. JSON fields
    def test_unknown_json_field(self) -> None:
        self.edit(COMMON_MODULE, 'Вставить("guid"', 'Вставить("receipt_guid"')
        self.assert_caught(COMMON_MODULE, 7, "[json]", "`receipt_guid` is not a property of ReceiptRequest")

    def test_unknown_json_field_read(self) -> None:
        self.edit(COMMON_MODULE, 'Ответ["guid"]', 'Ответ["id"]')
        self.assert_caught(COMMON_MODULE, 22, "[json]", "`id` is not a property of ReceiptAccepted")

    def test_json_literal_type(self) -> None:
        self.edit(COMMON_MODULE, 'Вставить("total", 0)', 'Вставить("total", "0")')
        self.assert_caught(COMMON_MODULE, 8, "[json]", "`total` gets a string literal", "integer")

    def test_unknown_schema(self) -> None:
        self.edit(COMMON_MODULE, "// Схема: ReceiptAccepted", "// Схема: ReceiptAcepted")
        self.assert_caught(COMMON_MODULE, 20, "[json]", "unknown schema `ReceiptAcepted`")

    def test_json_without_schema_line(self) -> None:
        self.edit(COMMON_MODULE, "// Схема: ReceiptAccepted", "// Ответ Напарника.")
        self.assert_caught(COMMON_MODULE, 22, "[json]", "no `// Схема: <schema>` line")

    # 4. metadata names
    def test_unknown_document(self) -> None:
        self.edit(OBJECT_MODULE, "РегистрыСведений.Тст_Очередь", "Документы.ЧекККМХ")
        self.assert_caught(OBJECT_MODULE, 9, "[metadata]", "unknown metadata object `Документ.ЧекККМХ`",
                           "add it to tests/onec/known-metadata.json")

    def test_unknown_enum_value(self) -> None:
        self.edit(OBJECT_MODULE, "СтатусыЧековККМ.Пробитый", "СтатусыЧековККМ.Пробит")
        self.assert_caught(OBJECT_MODULE, 3, "[metadata]", "has no value `Пробит`")

    def test_unknown_enum_value_in_query(self) -> None:
        self.edit(COMMON_MODULE, "Перечисление.СтатусыЧековККМ.Пробитый", "Перечисление.СтатусыЧековККМ.Закрыт")
        self.assert_caught(COMMON_MODULE, 33, "[metadata]", "has no value `Закрыт`")

    def test_unknown_tabular_section_in_query(self) -> None:
        self.edit(COMMON_MODULE, "Документ.ЧекККМ.Товары", "Документ.ЧекККМ.Продавцы")
        self.assert_caught(COMMON_MODULE, 31, "[metadata]", "no tabular section `Продавцы`")

    def test_unknown_attribute_of_adopted_document(self) -> None:
        self.edit(OBJECT_MODULE, "ЭтотОбъект.СтатусЧекаККМ", "ЭтотОбъект.Статус")
        self.assert_caught(OBJECT_MODULE, 3, "[metadata]", "has no attribute or tabular section `Статус`")

    def test_unknown_column_of_adopted_tabular_section(self) -> None:
        self.edit(OBJECT_MODULE, "СтрокаТоваров.Продавец", "СтрокаТоваров.Продавцы")
        self.assert_caught(OBJECT_MODULE, 7, "[metadata]", "has no column `Продавцы`")

    # 6. dump
    def test_malformed_xml(self) -> None:
        self.edit(REGISTER, "</Resource>", "</Resourse>")
        self.assert_caught(REGISTER, None, "[dump]", "malformed XML")

    def test_duplicated_uuid(self) -> None:
        self.edit(REGISTER, "11111111-0000-4000-8000-00000000000a", "11111111-0000-4000-8000-000000000009")
        self.assert_caught(REGISTER, 14, "[dump]", "duplicated id 11111111-0000-4000-8000-000000000009")

    def test_invalid_uuid(self) -> None:
        self.edit(REGISTER, "11111111-0000-4000-8000-00000000000a", "11111111-0000-4000-8000-00000000000z")
        self.assert_caught(REGISTER, 14, "[dump]", "is not a valid UUID")

    def test_object_without_file(self) -> None:
        (self.root / REGISTER).unlink()
        self.assert_caught("src/Configuration.xml", 21, "[dump]", "listed object has no file InformationRegisters/Тст_Очередь.xml")

    def test_file_not_listed(self) -> None:
        self.edit("src/Configuration.xml", "\t\t\t<InformationRegister>Тст_Очередь</InformationRegister>\n", "")
        self.assert_caught(REGISTER, 1, "[dump]", "is not listed in Configuration.xml")

    def test_module_without_object(self) -> None:
        module = self.root / "src/CommonModules/Тст_Сервер/Ext/Module.bsl"
        module.parent.mkdir(parents=True)
        module.write_text("Процедура А() Экспорт\nКонецПроцедуры\n", encoding="utf-8")
        self.assert_caught("src/CommonModules/Тст_Сервер/Ext/Module.bsl", 1, "[dump]", "module without its object")

    def test_own_object_without_prefix(self) -> None:
        self.edit("src/Configuration.xml", "<CommonModule>Тст_Клиент</CommonModule>", "<CommonModule>Клиент</CommonModule>")
        (self.root / "src/CommonModules/Тст_Клиент.xml").rename(self.root / "src/CommonModules/Клиент.xml")
        self.edit("src/CommonModules/Клиент.xml", "<Name>Тст_Клиент</Name>", "<Name>Клиент</Name>")
        self.assert_caught("src/CommonModules/Клиент.xml", 1, "[dump]", "does not start with NamePrefix")

    def test_config_dump_info_with_a_wrong_id(self) -> None:
        (self.root / "src/ConfigDumpInfo.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<ConfigDumpInfo xmlns="http://v8.1c.ru/8.3/xcf/dumpinfo" '
            'format="Hierarchical" version="2.11"><ConfigVersions>'
            '<Metadata name="InformationRegister.Тст_Очередь" id="22222222-0000-4000-8000-000000000001" configVersion="0"/>'
            '</ConfigVersions></ConfigDumpInfo>\n', encoding="utf-8")
        self.assert_caught("src/ConfigDumpInfo.xml", 1, "[dump]", "gives `InformationRegister.Тст_Очередь` the id")
        self.assert_caught("src/ConfigDumpInfo.xml", 1, "[dump]", "does not list CommonModules/Тст_Клиент.xml")

    def test_missing_extension_property(self) -> None:
        self.edit("src/Configuration.xml", "<NamePrefix>Тст_</NamePrefix>", "")
        self.assert_caught("src/Configuration.xml", 1, "[dump]", "lack `NamePrefix`")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"tests/onec: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
