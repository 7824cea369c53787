//! Interface text in Russian (default) and English.

/// The interface language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Language {
    /// Русский.
    #[default]
    Russian,
    /// English.
    English,
}

/// Looks up interface text in one language.
#[derive(Debug, Clone, Copy)]
pub struct Text(pub Language);

const TEXTS: &[(&str, &str, &str)] = &[
    ("title", "Напарник", "Naparnik"),
    (
        "demo_offer",
        "База пуста: продавцов и покупателей ещё нет. Загрузите демо-данные, чтобы попробовать всё сразу: 6 продавцов с листом бейджей для сканирования и 3000 покупателей. Убрать их потом: naparnik demo remove.",
        "The database is empty: no sellers or customers yet. Load demo data to try everything at once: 6 sellers with a sheet of badges to scan and 3000 customers. Remove it later with `naparnik demo remove`.",
    ),
    ("demo_load", "Загрузить демо-данные", "Load demo data"),
    (
        "demo_dismiss",
        "Начать без них (списки загрузит ИТ)",
        "Start without (IT loads the lists)",
    ),
    (
        "save_diagnostics",
        "Сохранить диагностику",
        "Save diagnostics",
    ),
    ("light", "Светлая тема", "Light theme"),
    ("dark", "Тёмная тема", "Dark theme"),
    ("receipts", "Чеки (управляющий)", "Receipts (manager)"),
    ("back_to_sale", "К продаже", "Back to sale"),
    ("phone", "Телефон покупателя", "Customer phone"),
    ("erase", "Стереть", "Erase"),
    ("clear", "Сброс", "Clear"),
    ("new_customer", "Новый покупатель", "New customer"),
    ("looking_in_crm", "Ищем в CRM…", "Looking in the CRM…"),
    (
        "create_customer",
        "Создать покупателя по номеру",
        "Create customer from this number",
    ),
    ("choose", "Выбрать", "Choose"),
    (
        "matches",
        "Номер заканчивается на эти цифры у покупателей:",
        "Customers whose number ends with these digits:",
    ),
    (
        "no_matches",
        "Никого с такими последними цифрами.",
        "Nobody's number ends with these digits.",
    ),
    ("discount", "Скидка", "Discount"),
    ("card", "Карта", "Card"),
    ("bonus", "Бонусы", "Bonus"),
    ("updated", "Данные", "Data"),
    ("no_name", "Имя не указано", "No name"),
    ("next_receipt", "Следующий чек", "Next receipt"),
    ("customer_yes", "Покупатель", "Customer"),
    ("customer_no", "Без покупателя", "No customer"),
    (
        "sellers_no",
        "Без продавцов — отсканируйте бейдж",
        "No sellers — scan a badge",
    ),
    ("remove_customer", "Убрать покупателя", "Remove customer"),
    ("sellers", "Продавцы", "Sellers"),
    ("remove", "Убрать", "Remove"),
    (
        "pick_seller",
        "Выбрать продавца вручную (F2)",
        "Pick a seller (F2)",
    ),
    (
        "keyboard_hint",
        "С клавиатуры: цифры — телефон, Enter — выбрать покупателя, Esc — стереть номер, F2 — продавец, Tab — по кнопкам.",
        "Keyboard: digits — phone, Enter — choose the customer, Esc — clear the number, F2 — seller, Tab — between buttons.",
    ),
    ("search", "Поиск", "Search"),
    ("close", "Закрыть", "Close"),
    ("pin", "PIN управляющего", "Manager PIN"),
    ("open", "Открыть", "Open"),
    ("filter_seller", "Продавец", "Seller"),
    ("filter_phone", "Телефон", "Phone"),
    ("filter_date", "Дата (ГГГГ-ММ-ДД)", "Date (YYYY-MM-DD)"),
    ("apply", "Показать", "Show"),
    ("edit_sellers", "Изменить продавцов", "Edit sellers"),
    ("save", "Сохранить", "Save"),
    ("cancel", "Отмена", "Cancel"),
    ("new_shares", "Новые доли", "New shares"),
    (
        "shift_totals",
        "Итоги текущей смены по продавцам",
        "Current shift by seller",
    ),
    ("receipts_col", "чеков", "receipts"),
    ("average", "средний чек", "average"),
    ("return", "возврат", "return"),
    ("no_receipts", "Чеков не найдено.", "No receipts found."),
    ("add", "Добавить", "Add"),
    ("rub", "руб.", "RUB"),
];

impl Text {
    /// The text for `key`; the key itself when missing (so a gap shows, never panics).
    pub fn get(self, key: &'static str) -> &'static str {
        TEXTS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, ru, en)| match self.0 {
                Language::Russian => *ru,
                Language::English => *en,
            })
            .unwrap_or(key)
    }
}

/// A message composed while the till runs (a notice, a status line), in both interface languages,
/// so switching the language re-reads what is already on screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bilingual {
    /// Русский.
    pub ru: String,
    /// English.
    pub en: String,
}

impl Bilingual {
    /// The same message in Russian and in English.
    pub fn new(ru: impl Into<String>, en: impl Into<String>) -> Bilingual {
        Bilingual {
            ru: ru.into(),
            en: en.into(),
        }
    }

    /// The message in `language`.
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Russian => &self.ru,
            Language::English => &self.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut keys: Vec<&str> = TEXTS.iter().map(|(k, _, _)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), TEXTS.len());
        assert!(
            TEXTS
                .iter()
                .all(|(_, ru, en)| !ru.is_empty() && !en.is_empty())
        );
    }
}
