//! One shard of a fleet: shard I of N covers the accounts whose id hashes to I, so that N
//! workers of a scheduler that already exists (a Kubernetes Indexed Job, a CI matrix, an AWS
//! Batch array) split an organization among themselves with no coordinator.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// Shard `index` (1 to `count`) of `count`; shards of one split order by their number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Shard {
    index: u32,
    count: u32,
}

impl Shard {
    /// How many shards the fleet is split into.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// Whether the account falls to this shard. The hash is SHA-256 of the account id, its
    /// first 8 bytes read as a big-endian number, modulo the count: the same on every machine
    /// and in every version, and reproducible with `sha256sum` (docs/scheduling.md).
    pub fn covers(&self, account_id: &str) -> bool {
        let digest = Sha256::digest(account_id.as_bytes());
        let head = u64::from_be_bytes(digest[..8].try_into().expect("a digest has 32 bytes"));
        head % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let refused = || {
            format!(
                "`{text}` is not a shard: write I/N, this shard's number from 1 to N and the number of shards, e.g. 2/7"
            )
        };
        let (index, count) = text.split_once('/').ok_or_else(refused)?;
        let index: u32 = index.trim().parse().map_err(|_| refused())?;
        let count: u32 = count.trim().parse().map_err(|_| refused())?;
        if count == 0 || index == 0 || index > count {
            return Err(refused());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::Shard;

    /// 30 made-up account ids, as an organization's might be.
    fn accounts() -> Vec<String> {
        (0..30u64)
            .map(|n| format!("{:012}", 100_000_000_000 + n * 7_919_113))
            .collect()
    }

    #[test]
    fn the_shards_of_a_fleet_cover_every_account_exactly_once() {
        for count in [1u32, 3, 7] {
            let shards: Vec<Shard> = (1..=count)
                .map(|index| format!("{index}/{count}").parse().unwrap())
                .collect();
            for account in accounts() {
                let covering = shards.iter().filter(|shard| shard.covers(&account)).count();
                assert_eq!(covering, 1, "{account} in {count} shards");
            }
            if count > 1 {
                assert!(
                    shards
                        .iter()
                        .all(|shard| accounts().iter().any(|account| shard.covers(account))),
                    "every one of {count} shards has accounts of 30"
                );
            }
        }
    }

    #[test]
    fn a_shard_is_its_number_and_the_count() {
        let shard: Shard = "2/7".parse().unwrap();
        assert_eq!(shard.to_string(), "2/7");
        for bad in ["0/3", "4/3", "1/0", "2", "a/b", "-1/3"] {
            assert_eq!(
                bad.parse::<Shard>().unwrap_err(),
                format!(
                    "`{bad}` is not a shard: write I/N, this shard's number from 1 to N and the number of shards, e.g. 2/7"
                )
            );
        }
    }
}
