//! Running a child process and measuring it: wall time, peak resident memory, output size.
//!
//! The peak comes from the kernel's own accounting (`wait4`'s `ru_maxrss`), so a short spike
//! is never missed the way polling `/proc` could miss it.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a finished child did.
pub struct Measured {
    /// The exit code (`None` when a signal ended it).
    pub code: Option<i32>,
    /// From spawn to exit.
    pub wall: Duration,
    /// Peak resident memory in bytes.
    pub peak_rss: u64,
    /// Bytes it wrote to stdout (counted as they stream, not kept).
    pub stdout_bytes: u64,
    /// Lines it wrote to stdout.
    pub stdout_lines: u64,
    /// The last few kilobytes of its stdout (summaries come last).
    pub stdout_tail: String,
    /// Its stderr, for error messages.
    pub stderr: String,
}

/// Runs `command` to the end, counting its stdout and keeping its stderr.
pub fn measure(mut command: Command) -> std::io::Result<Measured> {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stderr = child.stderr.take().expect("piped stderr");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let (stdout_bytes, stdout_lines, tail) = count(child.stdout.take().expect("piped stdout"))?;
    let (code, peak_rss) = wait_with_peak(child.id())?;
    let wall = started.elapsed();
    Ok(Measured {
        code,
        wall,
        peak_rss,
        stdout_bytes,
        stdout_lines,
        stdout_tail: String::from_utf8_lossy(&tail).into_owned(),
        stderr: errors.join().unwrap_or_default(),
    })
}

/// Bytes kept from the end of the output.
const TAIL: usize = 4096;

/// Bytes and lines read from `source` to its end, and the last [`TAIL`] bytes.
fn count(mut source: impl Read) -> std::io::Result<(u64, u64, Vec<u8>)> {
    let mut buffer = vec![0u8; 1 << 16];
    let mut tail = Vec::with_capacity(2 * TAIL);
    let (mut bytes, mut lines) = (0u64, 0u64);
    loop {
        let read = source.read(&mut buffer)?;
        if read == 0 {
            return Ok((bytes, lines, tail));
        }
        let chunk = &buffer[..read];
        bytes += read as u64;
        lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        tail.extend_from_slice(&chunk[read.saturating_sub(TAIL)..]);
        if tail.len() > TAIL {
            tail.drain(..tail.len() - TAIL);
        }
    }
}

/// Reaps the child `pid` (which must not be waited for otherwise) and returns its exit code
/// and its peak resident memory in bytes.
fn wait_with_peak(pid: u32) -> std::io::Result<(Option<i32>, u64)> {
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data, valid when zeroed; wait4 only writes into the two
    // out-parameters, which live on this stack frame for the whole call.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    if reaped < 0 {
        return Err(std::io::Error::last_os_error());
    }
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    // Linux reports ru_maxrss in KiB.
    Ok((code, usage.ru_maxrss as u64 * 1024))
}

/// The peak resident memory of this process so far, in bytes (`VmHWM`).
pub fn own_peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024)
}
