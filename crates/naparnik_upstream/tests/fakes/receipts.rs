//! Sales, returns and corrections as the outbox carries them.

use chrono::{DateTime, Utc};
use naparnik_domain::event::payload::{
    CustomerSnapshot, ReceiptClosed, ReceiptSnapshot, SellersCorrected,
};
use naparnik_domain::money::Percent;
use naparnik_domain::receipt::Payment;
use naparnik_domain::shares::split_sale;
use naparnik_domain::{
    Attribution, EventKind, Kopecks, OutboxEvent, Phone, Quantity, Receipt, ReceiptGuid,
    ReceiptKind, ReceiptLine, SellerCode,
};

pub const SELLERS: [(&str, &str); 2] = [("S001", "Иванова Анна"), ("S002", "Петров Пётр")];

pub fn guid(n: u32) -> ReceiptGuid {
    ReceiptGuid::parse(&format!("00000000-0000-4000-8000-{n:012}")).unwrap()
}

fn line(line_no: u32, name: &str, quantity_units: i64, price: i64, discount: i64) -> ReceiptLine {
    ReceiptLine {
        line_no,
        sku: format!("SKU{line_no}"),
        name: name.into(),
        unit: "шт".into(),
        quantity: Quantity::units(quantity_units),
        price: Kopecks(price),
        discount: Kopecks(discount),
        amount: Kopecks(price * quantity_units - discount),
    }
}

fn attribution(receipt: &Receipt, sellers: usize) -> Attribution {
    let amounts: Vec<Kopecks> = receipt.lines.iter().map(|l| l.amount).collect();
    let numbers: Vec<u32> = receipt.lines.iter().map(|l| l.line_no).collect();
    let pairs: Vec<(SellerCode, String)> = SELLERS
        .iter()
        .take(sellers)
        .map(|(c, n)| (SellerCode((*c).into()), (*n).into()))
        .collect();
    let shares = (sellers > 0).then(|| split_sale(&amounts, sellers).unwrap());
    Attribution::new(receipt.guid, &pairs, &numbers, shares.as_ref())
}

/// Sale `n`: two units of «Кофе» at 150.00 with 20.00 off the line, and «Чай» at 99.90; paid by card.
pub fn sale(n: u32, phone: Option<&str>, sellers: usize) -> ReceiptClosed {
    let lines = vec![
        line(1, "Кофе", 2, 15_000, 2_000),
        line(2, "Чай", 1, 9_990, 0),
    ];
    let total: Kopecks = lines.iter().map(|l| l.amount).sum();
    let phone = phone.map(|p| Phone::parse(p).unwrap());
    let receipt = Receipt {
        guid: guid(n),
        number: format!("ЦБ00-{n:06}"),
        kind: ReceiptKind::Sale,
        closed_at: DateTime::parse_from_rfc3339("2026-11-22T12:30:00+03:00").unwrap(),
        store: "store-1".into(),
        till: "till-1".into(),
        cashier: "Кассир".into(),
        customer_phone: phone.clone(),
        sellers: SELLERS
            .iter()
            .take(sellers)
            .map(|(c, _)| SellerCode((*c).into()))
            .collect(),
        lines,
        payments: vec![Payment {
            kind: "card".into(),
            amount: total,
        }],
        total,
    };
    let attribution = attribution(&receipt, sellers);
    ReceiptClosed {
        customer: phone.map(|phone| CustomerSnapshot {
            phone,
            name: None,
            discount_percent: Percent(0),
            card: None,
            crm_id: None,
            onec_ref: None,
        }),
        attribution,
        receipt,
    }
}

/// Return `number` of the lines `line_nos` of sale `n` (whole quantities).
pub fn return_of(n: u32, number: u32, line_nos: &[u32]) -> ReceiptClosed {
    let mut closed = sale(n, None, 0);
    closed.receipt.guid = guid(number);
    closed.receipt.number = format!("В-{number}");
    closed.receipt.kind = ReceiptKind::Return { original: guid(n) };
    closed
        .receipt
        .lines
        .retain(|l| line_nos.contains(&l.line_no));
    closed.receipt.total = closed.receipt.lines.iter().map(|l| l.amount).sum();
    closed.receipt.payments = vec![Payment {
        kind: "card".into(),
        amount: closed.receipt.total,
    }];
    closed.attribution = attribution(&closed.receipt, 0);
    closed
}

/// The sellers of sale `n` corrected to the second seller alone.
pub fn correction_of(n: u32) -> SellersCorrected {
    let sale = sale(n, None, 2);
    let mut after_receipt = sale.receipt.clone();
    after_receipt.sellers = vec![SellerCode("S002".into())];
    let amounts: Vec<Kopecks> = after_receipt.lines.iter().map(|l| l.amount).collect();
    let numbers: Vec<u32> = after_receipt.lines.iter().map(|l| l.line_no).collect();
    let after = Attribution::new(
        sale.receipt.guid,
        &[(SellerCode("S002".into()), "Петров Пётр".into())],
        &numbers,
        Some(&split_sale(&amounts, 1).unwrap()),
    );
    SellersCorrected {
        receipt: sale.receipt.guid,
        corrected_by: "manager".into(),
        corrected_at: Utc::now(),
        before: sale.attribution.clone(),
        after,
        sale: ReceiptSnapshot {
            receipt: sale.receipt,
            customer: sale.customer,
        },
        returns: Vec::new(),
    }
}

pub fn event_of(closed: &ReceiptClosed) -> OutboxEvent {
    let kind = match closed.receipt.kind {
        ReceiptKind::Sale => EventKind::SaleClosed,
        ReceiptKind::Return { .. } => EventKind::ReturnClosed,
    };
    OutboxEvent::with_payload(kind, &closed.receipt.guid.to_string(), closed).unwrap()
}

pub fn correction_event(corrected: &SellersCorrected) -> OutboxEvent {
    OutboxEvent::with_payload(
        EventKind::SellersCorrected,
        &corrected.receipt.to_string(),
        corrected,
    )
    .unwrap()
}
