//! Equal shares between the sellers of a sale, exact to the kopeck.
//!
//! # The rule
//!
//! Kopecks are dealt like cards. The sellers sit in the order they were
//! added to the sale. The receipt's kopecks are dealt one at a time, line
//! after line in receipt order, each next kopeck to the next seller, going
//! round; a line starts with the seller after the one who got the last
//! kopeck of the line before it. So on every line each seller gets the same
//! whole part, the line's leftover kopecks go one each to the next sellers
//! in turn, and over the whole receipt the first `total mod N` sellers (in
//! the order they were added) get one kopeck more than the others. A
//! seller's receipt amount is the sum of their line amounts, and the seller
//! amounts add up to the receipt total. A return takes a line's kopecks back
//! in the order they were dealt: if earlier returns took back the first `B`
//! kopecks of a line and this one returns `R` more, its sellers give back
//! exactly what kopecks `B+1 ..= B+R` of that line went to. A full return
//! therefore mirrors its sale to the kopeck, and no seller ever gives back
//! more than they were given.

use serde::{Deserialize, Serialize};

use crate::money::Kopecks;

/// The most sellers one sale can be divided between.
pub const MAX_SELLERS: usize = 20;

/// Why a sale or return cannot be divided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    /// Zero sellers: there is nobody to divide between.
    #[error("a sale is divided between 1 and {MAX_SELLERS} sellers, not 0")]
    NoSellers,
    /// More sellers than a sale may carry.
    #[error("a sale is divided between at most {MAX_SELLERS} sellers, not {count}")]
    TooManySellers {
        /// How many were given.
        count: usize,
    },
    /// A line amount below zero.
    #[error("line {line}: the amount {amount} is negative")]
    NegativeAmount {
        /// 1-based line number.
        line: usize,
        /// The amount given.
        amount: Kopecks,
    },
    /// A return refers to a line the sale does not have.
    #[error("line {line} does not exist in the original sale")]
    UnknownLine {
        /// 1-based line number.
        line: usize,
    },
    /// A return would give back more of a line than was sold.
    #[error(
        "line {line}: returning {returning} would exceed what was sold ({sold}, of it returned earlier {returned_before})"
    )]
    ReturnExceedsSale {
        /// 1-based line number.
        line: usize,
        /// The line amount of the sale.
        sold: Kopecks,
        /// Already returned earlier.
        returned_before: Kopecks,
        /// This return's amount.
        returning: Kopecks,
    },
}

/// How one receipt's amounts are divided: per seller for the receipt and per line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerShares {
    /// Receipt amount of each seller, in the order sellers were added.
    pub by_seller: Vec<Kopecks>,
    /// For each line (receipt order), the amount of each seller.
    pub by_line: Vec<Vec<Kopecks>>,
}

impl SellerShares {
    /// Number of sellers the amounts are divided between.
    pub fn seller_count(&self) -> usize {
        self.by_seller.len()
    }

    /// The share as a fraction for people and files: `1/3`.
    pub fn fraction(&self) -> String {
        format!("1/{}", self.seller_count())
    }
}

fn check_count(sellers: usize) -> Result<(), ShareError> {
    match sellers {
        0 => Err(ShareError::NoSellers),
        n if n > MAX_SELLERS => Err(ShareError::TooManySellers { count: n }),
        _ => Ok(()),
    }
}

/// Deals kopecks `1 ..= amount` of a line starting at seller `start`: what each seller holds.
fn dealt(amount: i64, sellers: usize, start: usize) -> Vec<i64> {
    let n = sellers as i64;
    let mut held = vec![amount / n; sellers];
    for offset in 0..(amount % n) as usize {
        held[(start + offset) % sellers] += 1;
    }
    held
}

/// The seller who gets the first kopeck of each line: lines continue the deal.
fn line_starts(line_amounts: &[Kopecks], sellers: usize) -> Vec<usize> {
    let mut next = 0usize;
    line_amounts
        .iter()
        .map(|amount| {
            let start = next;
            next = (next + (amount.0 % sellers as i64) as usize) % sellers;
            start
        })
        .collect()
}

fn check_amounts(line_amounts: &[Kopecks]) -> Result<(), ShareError> {
    match line_amounts.iter().position(|a| a.is_negative()) {
        Some(index) => Err(ShareError::NegativeAmount {
            line: index + 1,
            amount: line_amounts[index],
        }),
        None => Ok(()),
    }
}

fn totals(by_line: &[Vec<Kopecks>], sellers: usize) -> Vec<Kopecks> {
    (0..sellers)
        .map(|seller| by_line.iter().map(|line| line[seller]).sum())
        .collect()
}

/// Divides a sale between `sellers` sellers by the rule in the module docs.
pub fn split_sale(line_amounts: &[Kopecks], sellers: usize) -> Result<SellerShares, ShareError> {
    check_count(sellers)?;
    check_amounts(line_amounts)?;
    let starts = line_starts(line_amounts, sellers);
    let by_line: Vec<Vec<Kopecks>> = line_amounts
        .iter()
        .zip(starts)
        .map(|(amount, start)| {
            dealt(amount.0, sellers, start)
                .into_iter()
                .map(Kopecks)
                .collect()
        })
        .collect();
    Ok(SellerShares {
        by_seller: totals(&by_line, sellers),
        by_line,
    })
}

/// Divides a single amount (a receipt without lines, a shift total) the same way.
pub fn split_amount(amount: Kopecks, sellers: usize) -> Result<Vec<Kopecks>, ShareError> {
    split_sale(&[amount], sellers).map(|shares| shares.by_seller)
}

/// One line of a return: which sale line, how much was returned before, how much now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturnedLine {
    /// 1-based line number in the original sale.
    pub sale_line: usize,
    /// The amount of this line given back by earlier returns.
    pub returned_before: Kopecks,
    /// The amount this return gives back.
    pub returning: Kopecks,
}

/// Divides a return between its sale's sellers by the rule in the module docs.
///
/// `sale_line_amounts` are the original sale's lines; the result's `by_line`
/// follows the order of `returned`.
pub fn split_return(
    sale_line_amounts: &[Kopecks],
    sellers: usize,
    returned: &[ReturnedLine],
) -> Result<SellerShares, ShareError> {
    check_count(sellers)?;
    check_amounts(sale_line_amounts)?;
    let starts = line_starts(sale_line_amounts, sellers);
    let mut by_line = Vec::with_capacity(returned.len());
    for line in returned {
        let index = line
            .sale_line
            .checked_sub(1)
            .filter(|i| *i < sale_line_amounts.len());
        let index = index.ok_or(ShareError::UnknownLine {
            line: line.sale_line,
        })?;
        let sold = sale_line_amounts[index];
        let after = line.returned_before + line.returning;
        if line.returning.is_negative() || line.returned_before.is_negative() {
            return Err(ShareError::NegativeAmount {
                line: line.sale_line,
                amount: line.returning,
            });
        }
        if after > sold {
            return Err(ShareError::ReturnExceedsSale {
                line: line.sale_line,
                sold,
                returned_before: line.returned_before,
                returning: line.returning,
            });
        }
        let before_held = dealt(line.returned_before.0, sellers, starts[index]);
        let after_held = dealt(after.0, sellers, starts[index]);
        by_line.push(
            after_held
                .iter()
                .zip(before_held)
                .map(|(a, b)| Kopecks(a - b))
                .collect(),
        );
    }
    Ok(SellerShares {
        by_seller: totals(&by_line, sellers),
        by_line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn k(values: &[i64]) -> Vec<Kopecks> {
        values.iter().copied().map(Kopecks).collect()
    }

    #[test]
    fn contract_example_leftover_goes_to_the_first_seller() {
        let shares = split_sale(&k(&[10_000]), 3).unwrap();
        assert_eq!(shares.by_seller, k(&[3334, 3333, 3333]));
        assert_eq!(shares.fraction(), "1/3");
        let shares = split_sale(&k(&[44_280, 13_500]), 3).unwrap();
        assert_eq!(shares.by_seller, k(&[19_260, 19_260, 19_260]));
    }

    #[test]
    fn leftovers_continue_from_line_to_line() {
        let shares = split_sale(&k(&[100, 100, 100]), 3).unwrap();
        assert_eq!(
            shares.by_line,
            vec![k(&[34, 33, 33]), k(&[33, 34, 33]), k(&[33, 33, 34])]
        );
        assert_eq!(shares.by_seller, k(&[100, 100, 100]));
    }

    #[test]
    fn seller_counts_outside_1_to_20_are_refused() {
        assert_eq!(split_sale(&k(&[1]), 0), Err(ShareError::NoSellers));
        assert_eq!(
            split_sale(&k(&[1]), 21),
            Err(ShareError::TooManySellers { count: 21 })
        );
        assert!(split_sale(&k(&[1]), 20).is_ok());
    }

    #[test]
    fn a_full_return_mirrors_the_sale() {
        let sale = k(&[10_000, 101, 7]);
        let returned: Vec<ReturnedLine> = sale
            .iter()
            .enumerate()
            .map(|(i, amount)| ReturnedLine {
                sale_line: i + 1,
                returned_before: Kopecks(0),
                returning: *amount,
            })
            .collect();
        assert_eq!(
            split_return(&sale, 3, &returned).unwrap(),
            split_sale(&sale, 3).unwrap()
        );
    }

    #[test]
    fn the_contract_return_example_splits_like_its_sale() {
        let sale = k(&[44_280, 13_500]);
        let returned = [ReturnedLine {
            sale_line: 2,
            returned_before: Kopecks(0),
            returning: Kopecks(13_500),
        }];
        assert_eq!(
            split_return(&sale, 3, &returned).unwrap().by_seller,
            k(&[4500, 4500, 4500])
        );
    }

    #[test]
    fn returning_more_than_sold_is_refused() {
        let sale = k(&[1000]);
        let too_much = [ReturnedLine {
            sale_line: 1,
            returned_before: Kopecks(600),
            returning: Kopecks(401),
        }];
        assert!(matches!(
            split_return(&sale, 2, &too_much),
            Err(ShareError::ReturnExceedsSale { line: 1, .. })
        ));
        let no_line = [ReturnedLine {
            sale_line: 2,
            returned_before: Kopecks(0),
            returning: Kopecks(1),
        }];
        assert_eq!(
            split_return(&sale, 2, &no_line),
            Err(ShareError::UnknownLine { line: 2 })
        );
    }

    fn sale_strategy() -> impl Strategy<Value = (Vec<Kopecks>, usize)> {
        (
            prop::collection::vec(0i64..5_000_000, 1..40),
            1usize..=MAX_SELLERS,
        )
            .prop_map(|(lines, n)| (k(&lines), n))
    }

    proptest! {
        #[test]
        fn sale_shares_are_exact_equal_and_consistent((lines, n) in sale_strategy()) {
            let shares = split_sale(&lines, n).unwrap();
            let total: Kopecks = lines.iter().copied().sum();
            prop_assert_eq!(shares.by_seller.iter().copied().sum::<Kopecks>(), total);
            let max = shares.by_seller.iter().max().unwrap();
            let min = shares.by_seller.iter().min().unwrap();
            prop_assert!(max.0 - min.0 <= 1);
            prop_assert_eq!(&shares.by_seller, &split_amount(total, n).unwrap());
            for (line, amounts) in lines.iter().zip(&shares.by_line) {
                prop_assert_eq!(amounts.iter().copied().sum::<Kopecks>(), *line);
                let max = amounts.iter().max().unwrap();
                let min = amounts.iter().min().unwrap();
                prop_assert!(max.0 - min.0 <= 1);
            }
            prop_assert_eq!(split_sale(&lines, n).unwrap(), shares);
        }

        #[test]
        fn partial_returns_never_exceed_and_add_up_to_the_sale(
            (lines, n) in sale_strategy(),
            cuts in prop::collection::vec(0u32..=100, 1..5),
        ) {
            let sale = split_sale(&lines, n).unwrap();
            let mut returned_before = vec![Kopecks(0); lines.len()];
            let mut given_back = vec![vec![Kopecks(0); n]; lines.len()];
            let mut rounds: Vec<u32> = cuts;
            rounds.push(100);
            for percent in rounds {
                let returned: Vec<ReturnedLine> = lines.iter().enumerate().map(|(i, sold)| {
                    let target = Kopecks(sold.0 * i64::from(percent) / 100).max(returned_before[i]);
                    ReturnedLine { sale_line: i + 1, returned_before: returned_before[i], returning: target - returned_before[i] }
                }).collect();
                let shares = split_return(&lines, n, &returned).unwrap();
                for (line, amounts) in returned.iter().zip(&shares.by_line) {
                    prop_assert_eq!(amounts.iter().copied().sum::<Kopecks>(), line.returning);
                    let index = line.sale_line - 1;
                    for (seller, amount) in amounts.iter().enumerate() {
                        prop_assert!(!amount.is_negative());
                        given_back[index][seller] += *amount;
                        prop_assert!(given_back[index][seller] <= sale.by_line[index][seller]);
                    }
                    returned_before[index] += line.returning;
                }
                prop_assert_eq!(shares.by_seller.iter().copied().sum::<Kopecks>(), returned.iter().map(|l| l.returning).sum::<Kopecks>());
            }
            prop_assert_eq!(given_back, sale.by_line);
        }
    }
}
