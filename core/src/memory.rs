//! Size checks: every size, count or product of dimensions taken from the caller goes through
//! checked arithmetic and a memory estimate before anything is allocated.
//!
//! A request that overflows `usize`, or whose bytes exceed the budget, is
//! [`Error::TooLarge`] naming the argument and the bytes it would need — never an allocation
//! failure (which aborts the process) or a wrapped product (which allocates too little).
//!
//! The budget defaults to the machine's physical memory (`MemTotal` of `/proc/meminfo`; 1 TiB
//! where that cannot be read). It is process-wide; [`set_limit`] changes it (e.g. to keep a job
//! array inside its allocation, or in a test). The check is an estimate of the largest buffers a
//! call sizes from its arguments, not an accounting of every allocation.
//!
//! ```
//! use parsimony_core::memory;
//! // 4 Kronecker factors of 2¹⁶ columns: 2⁶⁴ elements overflow usize
//! assert!(memory::checked_product("columns of the factors", &[1 << 16; 4]).is_err());
//! // 2⁴⁰ doubles (8 TiB) exceed any budget this doc test runs under
//! assert!(memory::check_elements::<f64>("grid points", 1 << 40).is_err());
//! assert!(memory::check_elements::<f64>("grid points", 1 << 10).is_ok());
//! ```

use crate::error::{Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};

/// 0 = not yet read from the system.
static LIMIT: AtomicU64 = AtomicU64::new(0);

/// The budget when the physical memory cannot be read: 1 TiB.
const FALLBACK_LIMIT: u64 = 1 << 40;

/// Sets the memory budget (bytes) for every later check in this process. `0` restores the
/// default (the physical memory).
pub fn set_limit(bytes: u64) {
    LIMIT.store(bytes, Ordering::Relaxed);
}

/// The memory budget in bytes.
pub fn limit() -> u64 {
    match LIMIT.load(Ordering::Relaxed) {
        0 => {
            let bytes = physical_memory().unwrap_or(FALLBACK_LIMIT);
            // a racing set_limit wins over the default
            let _ = LIMIT.compare_exchange(0, bytes, Ordering::Relaxed, Ordering::Relaxed);
            LIMIT.load(Ordering::Relaxed)
        }
        bytes => bytes,
    }
}

fn physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// The product of `dims`, or [`Error::TooLarge`] if it overflows `usize`.
pub fn checked_product(what: &str, dims: &[usize]) -> Result<usize> {
    dims.iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| {
            let bytes = dims
                .iter()
                .fold(1u128, |acc, &d| acc.saturating_mul(d as u128));
            Error::TooLarge {
                what: format!("{what} (product of {dims:?})"),
                bytes,
                limit: limit(),
            }
        })
}

/// `a · b`, or [`Error::TooLarge`] naming `what` if it overflows `usize`.
pub fn checked_mul(what: &str, a: usize, b: usize) -> Result<usize> {
    checked_product(what, &[a, b])
}

/// Checks that `count` elements of `T` fit the budget.
pub fn check_elements<T>(what: &str, count: usize) -> Result<()> {
    check_bytes(what, count as u128 * std::mem::size_of::<T>() as u128)
}

/// Checks that a request of `bytes` fits the budget.
pub fn check_bytes(what: &str, bytes: u128) -> Result<()> {
    let limit = limit();
    if bytes <= limit as u128 {
        Ok(())
    } else {
        Err(Error::TooLarge {
            what: what.to_string(),
            bytes,
            limit,
        })
    }
}

/// Checks that buffers of `counts[k]` elements of `T`, together, fit the budget (each count
/// already a checked product).
pub fn check_total<T>(what: &str, counts: &[usize]) -> Result<()> {
    let elements: u128 = counts.iter().map(|&c| c as u128).sum();
    check_bytes(what, elements * std::mem::size_of::<T>() as u128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_that_overflow_are_too_large_and_name_the_argument() {
        let err = checked_product("factor columns", &[1 << 32, 1 << 32]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("factor columns"), "{msg}");
        assert!(msg.contains("18446744073709551616"), "{msg}");
        assert_eq!(checked_product("x", &[3, 5, 7]).unwrap(), 105);
        assert_eq!(checked_product("x", &[]).unwrap(), 1);
        assert_eq!(checked_product("x", &[4, 0, usize::MAX]).unwrap(), 0);
    }

    #[test]
    fn the_budget_refuses_what_exceeds_it() {
        assert!(limit() > 0);
        assert!(check_elements::<f64>("n", 1 << 61).is_err());
        assert!(check_bytes("n", u128::MAX).is_err());
        assert!(check_total::<f64>("n", &[usize::MAX, usize::MAX]).is_err());
        assert!(check_elements::<u8>("n", 1000).is_ok());
    }
}
