//! Outbox events as CRM sales: a sale or return is one `<sale>`; a seller
//! correction is its sale (and the sale's returns) again, with the new sellers
//! under the same ids, so the CRM updates what it has.

use naparnik_crm_xml::sales::{Sale, SaleCustomer};
use naparnik_domain::money::Percent;
use naparnik_domain::{Attribution, EventKind, OutboxEvent, Receipt};

use crate::{BatchEvent, Refused};
use serde::Deserialize;

#[derive(Deserialize)]
struct CustomerPayload {
    phone: String,
    name: Option<String>,
    crm_id: Option<String>,
    discount_percent: Option<Percent>,
}

#[derive(Deserialize)]
struct ReceiptPayload {
    receipt: Receipt,
    customer: Option<CustomerPayload>,
    attribution: Option<Attribution>,
}

#[derive(Deserialize)]
struct CorrectionPayload {
    after: Attribution,
    sale: ReceiptPayload,
    #[serde(default)]
    returns: Vec<ReceiptPayload>,
}

fn to_sale(payload: ReceiptPayload, attribution: Attribution) -> Sale {
    Sale {
        receipt: payload.receipt,
        customer: payload.customer.map(|c| SaleCustomer {
            phone: c.phone,
            name: c.name,
            crm_id: c.crm_id,
            discount_percent: c.discount_percent.unwrap_or_default(),
        }),
        share: attribution.share.clone(),
        sellers: attribution.sellers,
    }
}

/// The sales an event stands for in the CRM file, or why it cannot be one (a permanent problem).
pub(crate) fn sales_of(event: &OutboxEvent) -> Result<Vec<Sale>, String> {
    let invalid = |e: serde_json::Error| {
        format!(
            "event {} ({}) has an unreadable payload: {e}",
            event.id,
            event.kind.as_str()
        )
    };
    match event.kind {
        EventKind::SaleClosed | EventKind::ReturnClosed => {
            let mut payload: ReceiptPayload =
                serde_json::from_value(event.payload.clone()).map_err(invalid)?;
            let attribution = payload
                .attribution
                .take()
                .ok_or_else(|| format!("event {} has no attribution", event.id))?;
            Ok(vec![to_sale(payload, attribution)])
        }
        EventKind::SellersCorrected => {
            let payload: CorrectionPayload =
                serde_json::from_value(event.payload.clone()).map_err(invalid)?;
            let mut sales = vec![to_sale(payload.sale, payload.after)];
            for mut returned in payload.returns {
                let attribution = returned
                    .attribution
                    .take()
                    .ok_or_else(|| format!("event {}: a return has no attribution", event.id))?;
                sales.push(to_sale(returned, attribution));
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
