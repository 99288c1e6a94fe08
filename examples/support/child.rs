//! Running a child process and measuring it: wall time, peak resident memory, output size.
//!
//! The peak comes from the kernel's own accounting (`wait4`'s `ru_maxrss`), so a short spike
//! is never missed the way polling `/proc` could miss it.
//!
//! The child is not started by the benchmark itself but through a fresh copy of the
//! benchmark's program (a hop; see [`serve_if_asked`]). Linux counts in a process's
//! `ru_maxrss` the resident size of the memory image it replaced when it called `exec`, and a
//! child spawned from the benchmark replaces an image that shares the benchmark's own, which
//! holds a simulator of a million users: every child would report the benchmark's peak. The
//! hop has just been exec'd and is small, so the children it spawns report their own.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Set on the hop: the file it writes the child's exit code and peak memory into.
const REPORT_ENV: &str = "ROSTER_BENCH_CHILD_REPORT";

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

/// When this process is a hop started by [`measure`], runs the command its arguments name
/// (stdio, environment and folder inherited), writes the child's exit code and peak memory
/// to the report file and exits. Every benchmark that measures a child calls it first.
pub fn serve_if_asked() {
    let Some(report) = std::env::var_os(REPORT_ENV) else {
        return;
    };
    let mut args = std::env::args_os().skip(1);
    let program = args.next().expect("the hop is given a program");
    let child = Command::new(program)
        .args(args)
        .env_remove(REPORT_ENV)
        .spawn()
        .expect("the measured program starts");
    let (code, peak_rss) = wait_with_peak(child.id()).expect("the measured program is reaped");
    let code_text = code.map_or_else(|| "signal".to_owned(), |code| code.to_string());
    std::fs::write(report, format!("{code_text} {peak_rss}")).expect("the report is written");
    std::process::exit(0);
}

/// `command` as run through a hop writing its report to `report`.
fn through_hop(command: &Command, report: &std::path::Path) -> std::io::Result<Command> {
    let mut hop = Command::new(std::env::current_exe()?);
    hop.arg(command.get_program()).args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => hop.env(key, value),
            None => hop.env_remove(key),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        hop.current_dir(dir);
    }
    hop.env(REPORT_ENV, report);
    Ok(hop)
}

/// Reads the hop's report: the child's exit code (`None` for a signal) and peak memory.
fn read_report(report: &std::path::Path) -> std::io::Result<(Option<i32>, u64)> {
    let text = std::fs::read_to_string(report)?;
    let malformed = || std::io::Error::other(format!("malformed child report {text:?}"));
    let (code, peak) = text.split_once(' ').ok_or_else(malformed)?;
    let peak = peak.parse().map_err(|_| malformed())?;
    Ok((code.parse().ok(), peak))
}

/// Runs `command` to the end, counting its stdout and keeping its stderr.
pub fn measure(command: Command) -> std::io::Result<Measured> {
    let report = tempfile::NamedTempFile::new()?;
    let mut hop = through_hop(&command, report.path())?;
    let started = Instant::now();
    let mut child = hop
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
    let hop_status = child.wait()?;
    let wall = started.elapsed();
    if !hop_status.success() {
        return Err(std::io::Error::other(format!(
            "the measuring hop failed ({hop_status}): {}",
            errors.join().unwrap_or_default()
        )));
    }
    let (code, peak_rss) = read_report(report.path())?;
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
