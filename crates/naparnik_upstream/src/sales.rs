//! Outbox events as CRM sales: a sale or return is one `<sale>`; a seller
//! correction is its sale (and the sale's returns) again, with the new sellers
//! under the same ids, so the CRM updates what it has.

use chrono::{DateTime, FixedOffset};
use naparnik_crm_xml::sales::{Sale, SaleCustomer, SalesHeader};
use naparnik_domain::event::payload::{CustomerSnapshot, ReceiptClosed, SellersCorrected};
use naparnik_domain::{Attribution, EventKind, OutboxEvent, Receipt};

use crate::{BatchEvent, Refused};

fn to_sale(receipt: Receipt, customer: Option<CustomerSnapshot>, attribution: Attribution) -> Sale {
    Sale {
        receipt,
        customer: customer.map(|c| SaleCustomer {
            phone: c.phone.as_e164().to_owned(),
            name: c.name,
            crm_id: c.crm_id,
            discount_percent: c.discount_percent,
        }),
        share: attribution.share.clone(),
        sellers: attribution.sellers,
    }
}

/// The sales an event stands for in the CRM file, or why it cannot be one (a permanent problem).
pub(crate) fn sales_of(event: &OutboxEvent) -> Result<Vec<Sale>, String> {
    match event.kind {
        EventKind::SaleClosed | EventKind::ReturnClosed => {
            let closed: ReceiptClosed = crate::payload(event)?;
            Ok(vec![to_sale(
                closed.receipt,
                closed.customer,
                closed.attribution,
            )])
        }
        EventKind::SellersCorrected => {
            let corrected: SellersCorrected = crate::payload(event)?;
            let mut sales = vec![to_sale(
                corrected.sale.receipt,
                corrected.sale.customer,
                corrected.after,
            )];
            for returned in corrected.returns {
                sales.push(to_sale(
                    returned.receipt,
                    returned.customer,
                    returned.attribution,
                ));
            }
            Ok(sales)
        }
        other => Err(format!("the CRM does not take {} events", other.as_str())),
    }
}

/// The sales of a batch for one file: each receipt once, in its latest version (a correction
/// later in the batch replaces the sale written earlier), plus the events that cannot be sales.
pub(crate) fn sales_of_batch(events: &[BatchEvent<'_>]) -> (Vec<Sale>, Refused) {
    let mut refused = Vec::new();
    let mut sales: Vec<Sale> = Vec::new();
    for event in events {
        match sales_of(event.event) {
            Ok(more) => {
                for sale in more {
                    sales.retain(|earlier| earlier.receipt.guid != sale.receipt.guid);
                    sales.push(sale);
                }
            }
            Err(reason) => refused.push((event.seq, reason)),
        }
    }
    (sales, refused)
}

/// The header and sales of a batch's CRM file (`None` when no event of the batch is a sale), and the refused events.
pub(crate) fn sales_file(
    events: &[BatchEvent<'_>],
    batch_id: &str,
    store: &str,
    till: &str,
    generated: DateTime<FixedOffset>,
) -> (Option<(SalesHeader, Vec<Sale>)>, Refused) {
    let (sales, refused) = sales_of_batch(events);
    if sales.is_empty() {
        return (None, refused);
    }
    let header = SalesHeader {
        generated,
        store: store.to_owned(),
        till: till.to_owned(),
        batch: batch_id.to_owned(),
    };
    (Some((header, sales)), refused)
}
