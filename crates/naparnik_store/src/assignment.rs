//! The till's current assignment, shared by the window and the bridge: what the cashier sees is what 1C reads.

use naparnik_domain::assignment::AssignmentError;
use naparnik_domain::{Assignment, CustomerId, Seller, SellerCode};
use rusqlite::{Connection, params};

use crate::customers::customer_by_id;
use crate::sellers::seller_by_code;
use crate::time::now_text;
use crate::{Store, StoreError};

/// Why the assignment could not be changed.
#[derive(Debug, thiserror::Error)]
pub enum AssignmentChangeError {
    /// The change breaks an assignment rule.
    #[error(transparent)]
    Rule(#[from] AssignmentError),
    /// No seller has that code.
    #[error("no seller has the code {0}")]
    UnknownSeller(SellerCode),
    /// No customer has that id.
    #[error("no customer has the id {}", .0.0)]
    UnknownCustomer(CustomerId),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for AssignmentChangeError {
    fn from(error: rusqlite::Error) -> Self {
        AssignmentChangeError::Store(StoreError::from(error))
    }
}

fn load(conn: &Connection) -> Result<Assignment, StoreError> {
    let customer_id: Option<i64> = conn.query_row(
        "SELECT customer_id FROM till_assignment WHERE id = 1",
        [],
        |row| row.get(0),
    )?;
    let customer = match customer_id {
        Some(id) => customer_by_id(conn, CustomerId(id))?,
        None => None,
    };
    let codes: Vec<String> = conn
        .prepare_cached("SELECT seller_code FROM till_assignment_sellers ORDER BY position")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut sellers = Vec::with_capacity(codes.len());
    for code in codes {
        let code = SellerCode(code);
        let seller = seller_by_code(conn, &code)?.ok_or_else(|| {
            StoreError::InvalidStoredValue(format!("assigned seller {code} is missing"))
        })?;
        sellers.push(seller);
    }
    Ok(Assignment { customer, sellers })
}

fn save_sellers(conn: &Connection, sellers: &[Seller]) -> Result<(), StoreError> {
    conn.execute("DELETE FROM till_assignment_sellers", [])?;
    for (position, seller) in sellers.iter().enumerate() {
        conn.prepare_cached(
            "INSERT INTO till_assignment_sellers (position, seller_code) VALUES (?1, ?2)",
        )?
        .execute(params![position as i64, seller.code.as_str()])?;
    }
    touch(conn)
}

fn touch(conn: &Connection) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE till_assignment SET updated_at_utc = ?1 WHERE id = 1",
        [now_text()],
    )?;
    Ok(())
}

pub(crate) fn clear(conn: &Connection) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE till_assignment SET customer_id = NULL WHERE id = 1",
        [],
    )?;
    save_sellers(conn, &[])
}

impl Store {
    /// What the next receipt will carry.
    pub fn assignment(&self) -> Result<Assignment, StoreError> {
        load(&self.conn)
    }

    /// Sets (or with `None` clears) the customer of the sale.
    pub fn assign_customer(
        &mut self,
        customer: Option<CustomerId>,
    ) -> Result<Assignment, AssignmentChangeError> {
        let tx = self.write_transaction()?;
        if let Some(id) = customer {
            customer_by_id(&tx, id)?.ok_or(AssignmentChangeError::UnknownCustomer(id))?;
        }
        tx.execute(
            "UPDATE till_assignment SET customer_id = ?1 WHERE id = 1",
            [customer.map(|c| c.0)],
        )?;
        touch(&tx)?;
        let assignment = load(&tx)?;
        tx.commit()?;
        Ok(assignment)
    }

    /// Adds a seller at the end of the list.
    pub fn assign_seller(
        &mut self,
        code: &SellerCode,
    ) -> Result<Assignment, AssignmentChangeError> {
        let tx = self.write_transaction()?;
        let seller = seller_by_code(&tx, code)?
            .ok_or_else(|| AssignmentChangeError::UnknownSeller(code.clone()))?;
        let mut assignment = load(&tx)?;
        assignment.add_seller(seller)?;
        save_sellers(&tx, &assignment.sellers)?;
        tx.commit()?;
        Ok(assignment)
    }

    /// Removes a seller from the list.
    pub fn unassign_seller(
        &mut self,
        code: &SellerCode,
    ) -> Result<Assignment, AssignmentChangeError> {
        let tx = self.write_transaction()?;
        let mut assignment = load(&tx)?;
        assignment.remove_seller(code)?;
        save_sellers(&tx, &assignment.sellers)?;
        tx.commit()?;
        Ok(assignment)
    }

    /// The running total of the receipt being rung up, as 1C last reported it.
    pub fn assignment_total(&self) -> Result<Option<naparnik_domain::Kopecks>, StoreError> {
        let total: Option<i64> = self.conn.query_row(
            "SELECT receipt_total_kopecks FROM till_assignment WHERE id = 1",
            [],
            |row| row.get(0),
        )?;
        Ok(total.map(naparnik_domain::Kopecks))
    }

    /// Records (or with `None` forgets) the running total 1C reports.
    pub fn set_assignment_total(
        &mut self,
        total: Option<naparnik_domain::Kopecks>,
    ) -> Result<(), StoreError> {
        let tx = self.write_transaction()?;
        tx.execute(
            "UPDATE till_assignment SET receipt_total_kopecks = ?1 WHERE id = 1",
            [total.map(|t| t.0)],
        )?;
        touch(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Empties the assignment.
    pub fn clear_assignment(&mut self) -> Result<(), StoreError> {
        let tx = self.write_transaction()?;
        clear(&tx)?;
        tx.commit()?;
        Ok(())
    }
}
