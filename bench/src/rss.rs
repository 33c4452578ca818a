//! The resident set size and thread count of a process, as Linux reports them in
//! `/proc/<pid>/status`.

/// What `/proc/<pid>/status` says of a process's memory and threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    /// `VmRSS`, in KiB.
    pub rss_kib: u64,
    /// `Threads`.
    pub threads: u64,
}

/// The status of process `pid`; `None` when the process is gone.
pub fn status(pid: u32) -> Option<Status> {
    parse(&std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

/// The `VmRSS:  1234 kB` and `Threads:  5` lines of a `/proc/<pid>/status` text.
fn parse(status: &str) -> Option<Status> {
    let field = |name: &str| -> Option<u64> {
        status.lines().find_map(|line| line.strip_prefix(name))?.split_whitespace().next()?.parse().ok()
    };
    Some(Status { rss_kib: field("VmRSS:")?, threads: field("Threads:")? })
}

/// `kib` in MiB, for printing.
pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_rss_and_thread_lines() {
        let text = "Name:\tshale\nVmPeak:\t  900000 kB\nVmRSS:\t   52344 kB\nRssAnon:\t   40000 kB\nThreads:\t12\n";
        assert_eq!(parse(text), Some(Status { rss_kib: 52344, threads: 12 }));
        assert_eq!(parse("Name:\tkthreadd\nThreads:\t1\n"), None, "kernel threads have no VmRSS");
    }

    #[test]
    fn this_process_has_a_resident_set() {
        assert!(status(std::process::id()).is_some_and(|s| s.rss_kib > 0 && s.threads > 0));
    }
}
