//! `--shard K/N`: which accounts one runner of N audits. An account belongs to the shard its
//! id hashes to (SHA-256 of the 12-digit id, modulo N), so the partition depends on nothing but
//! the id: not on the order Organizations lists accounts in, not on which other accounts exist
//! (a new account never moves another to a different shard), and every runner of a CI matrix or
//! a Kubernetes indexed Job computes the same one without talking to the others.

use sha2::{Digest, Sha256};
use std::fmt;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The whole organization: shard 1 of 1.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// `K/N` with 1 ≤ K ≤ N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let usage = || format!("`{text}`: a shard is K/N with 1 ≤ K ≤ N, e.g. 2/8");
        let (index, count) = text.trim().split_once('/').ok_or_else(usage)?;
        let index: u32 = index.trim().parse().map_err(|_| usage())?;
        let count: u32 = count.trim().parse().map_err(|_| usage())?;
        if count == 0 || index == 0 || index > count {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }

    /// The shard (1-based) of `count` that `account` belongs to.
    pub fn of(account: &str, count: u32) -> u32 {
        let digest = Sha256::digest(account.trim().as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        (u64::from_be_bytes(first) % u64::from(count.max(1))) as u32 + 1
    }

    pub fn contains(&self, account: &str) -> bool {
        Shard::of(account, self.count) == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{:012}", 100_000_000_000u64 + i as u64 * 7919)).collect()
    }

    #[test]
    fn shards_parse_as_k_of_n() {
        assert_eq!(Shard::parse("2/8"), Ok(Shard { index: 2, count: 8 }));
        assert_eq!(Shard::parse(" 1 / 1 "), Ok(Shard::WHOLE));
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "1/2/3", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_account_is_in_exactly_one_shard_whatever_the_order() {
        let accounts = ids(300);
        let count = 7;
        let shards: Vec<Shard> = (1..=count).map(|index| Shard { index, count }).collect();
        for account in &accounts {
            assert_eq!(shards.iter().filter(|s| s.contains(account)).count(), 1, "{account}");
        }
        let mut reversed = accounts.clone();
        reversed.reverse();
        let of = |list: &[String], shard: Shard| {
            let mut mine: Vec<String> = list.iter().filter(|a| shard.contains(a)).cloned().collect();
            mine.sort();
            mine
        };
        for shard in &shards {
            assert_eq!(of(&accounts, *shard), of(&reversed, *shard), "shard {shard}");
            // Spread: no shard is empty or holds more than twice its share of 300 accounts.
            let size = of(&accounts, *shard).len();
            assert!(size > 0 && size < 2 * 300 / count as usize, "shard {shard} holds {size}");
        }
    }
}
