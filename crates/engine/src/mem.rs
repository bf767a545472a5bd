//! The memory budget. Where CPython would raise MemoryError, sockplay raises
//! it *before* allocating, so that no statement can take the machine down:
//! a counting allocator knows how much the process holds, and `reserve`
//! refuses what would pass the budget.
//!
//! The budget (`SOCKPLAY_MEMORY_MB`, default 4096 MiB, at most half the
//! machine's memory when that is less) is a limit in bytes, not in items:
//! `[1] * 500_000_000` asks for 500 million list slots of 24 bytes each.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting the bytes the process holds.
pub struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to the system allocator with the caller's own
// arguments, unchanged, and only adds or subtracts sizes on an atomic counter;
// it upholds whatever `System` upholds.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on as it is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            HELD.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            HELD.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator (hence by `System`) with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` and `layout` come from this allocator, as `realloc` requires.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            HELD.fetch_add(new_size, Ordering::Relaxed);
            HELD.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

/// How many bytes the process holds on its heap now.
pub fn held() -> usize {
    HELD.load(Ordering::Relaxed)
}

/// The budget in bytes.
pub fn budget() -> usize {
    static BUDGET: OnceLock<usize> = OnceLock::new();
    *BUDGET.get_or_init(|| {
        let asked = std::env::var("SOCKPLAY_MEMORY_MB")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|mb| *mb > 0);
        let half_machine = crate::net::sys::physical_memory().map(|b| b / 2);
        let default = 4096 * 1024 * 1024;
        let mb = asked.map(|mb| mb.saturating_mul(1024 * 1024));
        match (mb, half_machine) {
            (Some(b), _) => b,
            (None, Some(half)) => default.min(half),
            (None, None) => default,
        }
    })
}

/// The largest one object may be: what the budget has left.
pub fn max_object() -> usize {
    budget().saturating_sub(held())
}

/// `MemoryError` with CPython's empty message.
pub fn memory_error() -> crate::outcome::Exception {
    crate::outcome::Exception::new("MemoryError", "")
}

/// Checks, before allocating, that `count` items of `size` bytes fit the budget.
pub fn reserve(count: usize, size: usize) -> Result<(), crate::outcome::Exception> {
    match count.checked_mul(size) {
        Some(bytes) if bytes <= max_object() => Ok(()),
        _ => Err(memory_error()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_budget_and_counts_what_is_held() {
        assert!(reserve(10, 8).is_ok());
        assert!(
            reserve(usize::MAX, 2).is_err(),
            "overflowing sizes are refused"
        );
        assert!(reserve(budget() + 1, 1).is_err());
        assert!(held() > 0, "the allocator counts");
    }
}
