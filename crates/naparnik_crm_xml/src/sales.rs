//! Writing the CRM sales file (`<sales xmlns="urn:naparnik:crm-sales:1">`), one `<sale>` per receipt or return.
//!
//! Written as a stream with every value escaped; the shape is the one in
//! `assets/xsd/crm-sales.xsd`, and every file written validates against it.

use std::io::{self, Write};

use chrono::{DateTime, FixedOffset, SecondsFormat};
use naparnik_domain::attribution::SellerAmount;
use naparnik_domain::money::Percent;
use naparnik_domain::{Kopecks, Receipt, ReceiptKind};
use quick_xml::escape::escape;

use crate::SALES_NAMESPACE;

/// The customer of a sale as the CRM gets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleCustomer {
    /// E.164 phone.
    pub phone: String,
    /// Name, when known.
    pub name: Option<String>,
    /// The CRM's id, when known.
    pub crm_id: Option<String>,
    /// Personal discount in force at the sale.
    pub discount_percent: Percent,
}

/// One sale or return with its customer and sellers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    /// The receipt as 1C posted it.
    pub receipt: Receipt,
    /// The customer, if the receipt had one.
    pub customer: Option<SaleCustomer>,
    /// The sellers with their amounts, in order.
    pub sellers: Vec<SellerAmount>,
    /// Each seller's share, `1/3`.
    pub share: String,
}

/// The file's header attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesHeader {
    /// When the file was made, with the store's offset.
    pub generated: DateTime<FixedOffset>,
    /// Store code.
    pub store: String,
    /// Till code.
    pub till: String,
    /// Batch id: the same batch always has the same id.
    pub batch: String,
}

fn time(at: &DateTime<FixedOffset>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// Writes a sales file.
pub fn write_sales<W: Write>(mut out: W, header: &SalesHeader, sales: &[Sale]) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<sales xmlns="{SALES_NAMESPACE}" generated="{}" store="{}" till="{}" batch="{}">"#,
        time(&header.generated),
        escape(header.store.as_str()),
        escape(header.till.as_str()),
        escape(header.batch.as_str())
    )?;
    for sale in sales {
        write_sale(&mut out, sale)?;
    }
    writeln!(out, "</sales>")?;
    out.flush()
}

fn write_sale<W: Write>(out: &mut W, sale: &Sale) -> io::Result<()> {
    let receipt = &sale.receipt;
    let (kind, original) = match receipt.kind {
        ReceiptKind::Sale => ("sale", String::new()),
        ReceiptKind::Return { original } => ("return", format!(r#" original-id="{original}""#)),
    };
    writeln!(
        out,
        r#"  <sale id="{}" number="{}" kind="{kind}"{original} datetime="{}">"#,
        receipt.guid,
        escape(receipt.number.as_str()),
        time(&receipt.closed_at)
    )?;
    if let Some(customer) = &sale.customer {
        write!(
            out,
            r#"    <customer phone="{}""#,
            escape(customer.phone.as_str())
        )?;
        if let Some(name) = &customer.name {
            write!(out, r#" name="{}""#, escape(name.as_str()))?;
        }
        if let Some(crm_id) = &customer.crm_id {
            write!(out, r#" crm-id="{}""#, escape(crm_id.as_str()))?;
        }
        writeln!(out, "/>")?;
    }
    let percent = sale
        .customer
        .as_ref()
        .map_or(Percent(0), |c| c.discount_percent);
    let discount: Kopecks = receipt.lines.iter().map(|l| l.discount).sum();
    writeln!(
        out,
        r#"    <discount percent="{percent}" amount="{discount}"/>"#
    )?;
    writeln!(out, "    <items>")?;
    for line in &receipt.lines {
        writeln!(
            out,
            r#"      <item line="{}" sku="{}" name="{}" unit="{}" quantity="{}" price="{}" discount="{}" amount="{}"/>"#,
            line.line_no,
            escape(line.sku.as_str()),
            escape(line.name.as_str()),
            escape(line.unit.as_str()),
            line.quantity,
            line.price,
            line.discount,
            line.amount
        )?;
    }
    writeln!(out, "    </items>")?;
    writeln!(out, "    <total>{}</total>", receipt.total)?;
    writeln!(out, "    <payments>")?;
    for payment in &receipt.payments {
        writeln!(
            out,
            r#"      <payment kind="{}" amount="{}"/>"#,
            escape(payment.kind.as_str()),
            payment.amount
        )?;
    }
    writeln!(out, "    </payments>")?;
    writeln!(out, "    <sellers>")?;
    for seller in &sale.sellers {
        writeln!(
            out,
            r#"      <seller code="{}" name="{}" share="{}" amount="{}"/>"#,
            escape(seller.code.as_str()),
            escape(seller.name.as_str()),
            escape(sale.share.as_str()),
            seller.amount
        )?;
    }
    writeln!(out, "    </sellers>")?;
    writeln!(out, "  </sale>")
}
