//! Asking the CRM for a phone the till's cache does not know, within a budget.
//!
//! The cashier must never wait long: the lookup asks each CRM target in turn
//! and gives up when the budget (1.5 s at the till) is spent, answering
//! "unavailable" exactly as if the CRM were down. A customer found is
//! written into the cache, so the next lookup of that phone is local.

use std::time::Duration;

use naparnik_domain::{Customer, Phone};
use naparnik_store::{Store, StoreError};
use naparnik_upstream::crm::CrmCustomer;

use crate::Connector;

/// What the CRM said about a phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupOutcome {
    /// The CRM has this customer.
    Found(CrmCustomer),
    /// Every CRM answered: nobody has this phone.
    NotFound,
    /// No answer within the budget, or an error: the CRM cannot tell now.
    Unavailable(String),
}

/// The CRM targets that can answer a phone at once (retailCRM, Bitrix24), with a time budget.
#[derive(Debug, Clone)]
pub struct CustomerLookup {
    connectors: Vec<(String, Connector)>,
    budget: Duration,
}

impl CustomerLookup {
    /// A lookup over those of `connectors` that can answer a phone; `None` if none can.
    pub fn new(connectors: Vec<(String, Connector)>, budget: Duration) -> Option<CustomerLookup> {
        let connectors: Vec<(String, Connector)> = connectors
            .into_iter()
            .filter(|(_, c)| matches!(c, Connector::RetailCrm(_) | Connector::Bitrix24(_)))
            .collect();
        (!connectors.is_empty()).then_some(CustomerLookup { connectors, budget })
    }

    /// The budget a lookup may spend.
    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// Asks the CRMs in turn; whatever happens, answers within the budget.
    pub async fn find(&self, phone: &Phone) -> LookupOutcome {
        match tokio::time::timeout(self.budget, self.ask_all(phone)).await {
            Ok(outcome) => outcome,
            Err(_) => LookupOutcome::Unavailable(format!(
                "no answer within {} ms",
                self.budget.as_millis()
            )),
        }
    }

    async fn ask_all(&self, phone: &Phone) -> LookupOutcome {
        let mut problem = None;
        for (name, connector) in &self.connectors {
            let answer = match connector {
                Connector::RetailCrm(crm) => crm.find_customer(phone).await,
                Connector::Bitrix24(portal) => portal.find_customer(phone).await,
                _ => Ok(None),
            };
            match answer {
                Ok(Some(customer)) => return LookupOutcome::Found(customer),
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(target = %name, phone = %phone.masked(), "CRM lookup failed: {error}");
                    problem = Some(format!("{name}: {error}"));
                }
            }
        }
        problem.map_or(LookupOutcome::NotFound, LookupOutcome::Unavailable)
    }
}

/// Writes a customer the CRM answered into the till's cache and returns it as stored.
pub fn save_crm_customer(
    store: &mut Store,
    customer: &CrmCustomer,
) -> Result<Option<Customer>, StoreError> {
    let mut import = store.begin_customer_import()?;
    crate::pull::apply_crm_customer(&mut import, customer)?;
    import.commit()?;
    store.customer_by_phone(&customer.phone)
}
