//! The resident set size of a process, as Linux reports it in `/proc/<pid>/status`.

/// `VmRSS` of process `pid`, in KiB; `None` when the process is gone.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_vm_rss(&status)
}

/// The `VmRSS:  1234 kB` line of a `/proc/<pid>/status` text, in KiB.
fn parse_vm_rss(status: &str) -> Option<u64> {
    status.lines().find_map(|line| line.strip_prefix("VmRSS:"))?.split_whitespace().next()?.parse().ok()
}

/// `kib` in MiB, for printing.
pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_vm_rss_line() {
        let status = "Name:\tshale\nVmPeak:\t  900000 kB\nVmRSS:\t   52344 kB\nRssAnon:\t   40000 kB\n";
        assert_eq!(parse_vm_rss(status), Some(52344));
        assert_eq!(parse_vm_rss("Name:\tkthreadd\n"), None, "kernel threads have no VmRSS");
    }

    #[test]
    fn this_process_has_a_resident_set() {
        assert!(rss_kib(std::process::id()).is_some_and(|kib| kib > 0));
    }
}
