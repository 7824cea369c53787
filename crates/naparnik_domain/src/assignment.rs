//! What the till will attach to the next receipt: a customer and the sellers, in order.

use serde::{Deserialize, Serialize};

use crate::customer::Customer;
use crate::ids::SellerCode;
use crate::seller::Seller;
use crate::shares::MAX_SELLERS;

/// Why a seller cannot be added to or removed from the assignment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    /// Already in the list: a second scan of the same badge.
    #[error("seller {0} is already added to this sale")]
    AlreadyAdded(SellerCode),
    /// The list is full.
    #[error("a sale can have at most {MAX_SELLERS} sellers")]
    Full,
    /// Inactive sellers cannot sell.
    #[error("seller {0} is inactive: ask the manager to activate them")]
    Inactive(SellerCode),
    /// Not in the list.
    #[error("seller {0} is not in this sale")]
    NotAdded(SellerCode),
}

impl AssignmentError {
    /// The same reason in Russian, for the cashier (the English `Display` is for logs).
    pub fn ru(&self) -> String {
        match self {
            AssignmentError::AlreadyAdded(code) => {
                format!("Продавец {code} уже добавлен в этот чек.")
            }
            AssignmentError::Full => {
                format!("В чеке может быть не больше {MAX_SELLERS} продавцов.")
            }
            AssignmentError::Inactive(code) => {
                format!("Продавец {code} отключён. Попросите управляющего включить его.")
            }
            AssignmentError::NotAdded(code) => format!("Продавца {code} нет в текущем чеке."),
        }
    }
}

/// The till's current assignment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// The customer of the sale, if chosen.
    pub customer: Option<Customer>,
    /// The sellers, in the order they were added: that order decides who gets leftover kopecks.
    pub sellers: Vec<Seller>,
}

impl Assignment {
    /// Adds a seller at the end, refusing duplicates, inactive sellers and a full list.
    pub fn add_seller(&mut self, seller: Seller) -> Result<(), AssignmentError> {
        if self.sellers.iter().any(|s| s.code == seller.code) {
            return Err(AssignmentError::AlreadyAdded(seller.code));
        }
        if !seller.active {
            return Err(AssignmentError::Inactive(seller.code));
        }
        if self.sellers.len() >= MAX_SELLERS {
            return Err(AssignmentError::Full);
        }
        self.sellers.push(seller);
        Ok(())
    }

    /// Removes a seller; the others keep their order.
    pub fn remove_seller(&mut self, code: &SellerCode) -> Result<Seller, AssignmentError> {
        let index = self
            .sellers
            .iter()
            .position(|s| &s.code == code)
            .ok_or_else(|| AssignmentError::NotAdded(code.clone()))?;
        Ok(self.sellers.remove(index))
    }

    /// True when neither a customer nor any seller is chosen.
    pub fn is_empty(&self) -> bool {
        self.customer.is_none() && self.sellers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seller(code: &str, active: bool) -> Seller {
        Seller {
            code: SellerCode(code.into()),
            name: code.into(),
            badge: None,
            active,
            onec_ref: None,
        }
    }

    #[test]
    fn sellers_keep_order_and_refuse_duplicates() {
        let mut assignment = Assignment::default();
        assignment.add_seller(seller("A", true)).unwrap();
        assignment.add_seller(seller("B", true)).unwrap();
        assert_eq!(
            assignment.add_seller(seller("A", true)),
            Err(AssignmentError::AlreadyAdded(SellerCode("A".into())))
        );
        assert_eq!(
            assignment.add_seller(seller("C", false)),
            Err(AssignmentError::Inactive(SellerCode("C".into())))
        );
        assignment.remove_seller(&SellerCode("A".into())).unwrap();
        assert_eq!(assignment.sellers, vec![seller("B", true)]);
    }

    #[test]
    fn at_most_twenty_sellers() {
        let mut assignment = Assignment::default();
        for i in 0..MAX_SELLERS {
            assignment
                .add_seller(seller(&format!("S{i}"), true))
                .unwrap();
        }
        assert_eq!(
            assignment.add_seller(seller("X", true)),
            Err(AssignmentError::Full)
        );
    }
}
