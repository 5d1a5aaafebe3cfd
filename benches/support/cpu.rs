//! The CPU time of the calling thread, shared by the benchmarks that
//! report CPU time rather than wall time.

use std::time::Duration;

/// CPU time this thread has used, from `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`
/// (declared here rather than pulling in the `libc` crate for one call).
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
pub fn cpu_now() -> Option<Duration> {
    #[repr(C)]
    struct Timespec {
        seconds: i64,
        nanoseconds: i64,
    }
    unsafe extern "C" {
        fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut time = Timespec { seconds: 0, nanoseconds: 0 };
    // SAFETY: `time` is a valid, writable timespec for the whole call.
    let status = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut time) };
    (status == 0).then(|| Duration::new(time.seconds as u64, time.nanoseconds as u32))
}

/// Elsewhere, wall time it is.
#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
pub fn cpu_now() -> Option<Duration> {
    None
}
