//! The demo's sample sellers and customers: always the same, so the README's examples work.

use naparnik_domain::customer::DiscountPercent;
use naparnik_domain::{Phone, Seller, SellerCode};
use naparnik_store::demo::DemoCustomer;

/// How many sample customers the demo loads.
pub const CUSTOMERS: usize = 3000;

/// A customer the README names: type `4567` on the pad to find her.
pub const NAMED_PHONE: &str = "+79991234567";

const SELLERS: [(&str, &str); 6] = [
    ("DEMO01", "Анна Смирнова"),
    ("DEMO02", "Олег Петров"),
    ("DEMO03", "Елена Сидорова"),
    ("DEMO04", "Дмитрий Волков"),
    ("DEMO05", "Мария Козлова"),
    ("DEMO06", "Игорь Новиков"),
];

/// The demo badge of the `n`th seller: an internal EAN-13 code in [`naparnik_input::DEMO_BADGES`].
fn badge(n: u64) -> String {
    let body = format!("{:012}", naparnik_input::DEMO_BADGES.start() / 10 + n);
    (0..10)
        .map(|check| format!("{body}{check}"))
        .find(|code| naparnik_input::ean_check(code) == Some(true))
        .unwrap_or(body)
}

/// The sample sellers, each with a badge.
pub fn sellers() -> Vec<Seller> {
    SELLERS
        .iter()
        .zip(1..)
        .map(|((code, name), n)| Seller {
            code: SellerCode((*code).to_owned()),
            name: (*name).to_owned(),
            badge: Some(badge(n)),
            active: true,
            onec_ref: None,
        })
        .collect()
}

const MEN: [&str; 12] = [
    "Александр",
    "Алексей",
    "Андрей",
    "Владимир",
    "Евгений",
    "Иван",
    "Максим",
    "Михаил",
    "Никита",
    "Павел",
    "Сергей",
    "Юрий",
];
const WOMEN: [&str; 12] = [
    "Александра",
    "Алина",
    "Валентина",
    "Дарья",
    "Екатерина",
    "Ирина",
    "Ксения",
    "Наталья",
    "Ольга",
    "Светлана",
    "Татьяна",
    "Юлия",
];
/// Surnames in their masculine form; the feminine adds `а`.
const SURNAMES: [&str; 16] = [
    "Иванов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Соколов",
    "Михайлов",
    "Фёдоров",
    "Морозов",
    "Лебедев",
    "Егоров",
    "Павлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
];
/// Personal discounts in hundredths of a percent, most customers having none.
const DISCOUNTS: [i64; 10] = [0, 0, 0, 0, 0, 300, 500, 500, 700, 1000];

/// The sample customers: [`CUSTOMERS`] of them, with mobile numbers in +7 999, names, and discounts.
pub fn customers() -> anyhow::Result<Vec<DemoCustomer>> {
    let mut random = fastrand::Rng::with_seed(0x4e41_5041_524e_494b);
    let mut customers = Vec::with_capacity(CUSTOMERS);
    customers.push(DemoCustomer {
        phone: Phone::parse(NAMED_PHONE)?,
        name: "Светлана Иванова".to_owned(),
        discount: DiscountPercent::from_hundredths(1000)?,
    });
    let mut seen = std::collections::BTreeSet::from([NAMED_PHONE.to_owned()]);
    while customers.len() < CUSTOMERS {
        let phone = Phone::parse(&format!("+7999{:07}", random.u32(0..10_000_000)))?;
        if !seen.insert(phone.as_e164().to_owned()) {
            continue;
        }
        let surname = SURNAMES[random.usize(..SURNAMES.len())];
        let name = if random.bool() {
            format!("{} {surname}", MEN[random.usize(..MEN.len())])
        } else {
            format!("{} {surname}а", WOMEN[random.usize(..WOMEN.len())])
        };
        customers.push(DemoCustomer {
            phone,
            name,
            discount: DiscountPercent::from_hundredths(DISCOUNTS[random.usize(..DISCOUNTS.len())])?,
        });
    }
    Ok(customers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badges_are_valid_demo_codes_and_phones_are_unique() {
        for seller in sellers() {
            let badge = seller.badge.unwrap();
            assert_eq!(naparnik_input::ean_check(&badge), Some(true), "{badge}");
            assert!(naparnik_input::DEMO_BADGES.contains(&badge.parse().unwrap()));
        }
        let customers = customers().unwrap();
        let phones: std::collections::BTreeSet<_> =
            customers.iter().map(|c| c.phone.as_e164()).collect();
        assert_eq!(phones.len(), CUSTOMERS);
        assert_eq!(
            super::customers().unwrap(),
            customers,
            "the same every time"
        );
    }
}
