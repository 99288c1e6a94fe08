//! What people see on stderr: status lines (ℹ ✔ ✖ ⚠), progress bars when stderr is a
//! terminal, and log lines that never tear the bars.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use console::style;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of items whose total is known: `   club [=====>    ] 12/40 …`.
const BAR_TEMPLATE: &str = "{prefix:>12} [{bar:30}] {pos}/{len} {msg}";
/// A running count whose total is not known: `⠋ club 12,345 users`.
const COUNTER_TEMPLATE: &str = "{spinner} {prefix} {human_pos} {msg}";

/// The stderr side of the CLI; cheap to clone.
#[derive(Clone)]
pub struct Ui {
    quiet: bool,
    bars: Option<MultiProgress>,
}

impl Ui {
    /// Status lines unless `quiet`; bars only when stderr is a terminal and not quiet.
    /// `NO_COLOR` (and a non-terminal stderr) turns colour off.
    pub fn new(quiet: bool) -> Self {
        let terminal = std::io::stderr().is_terminal();
        if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) || !terminal {
            console::set_colors_enabled_stderr(false);
            console::set_colors_enabled(false);
        }
        let bars = (!quiet && terminal)
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Self { quiet, bars }
    }

    fn line(&self, text: String) {
        if self.quiet {
            return;
        }
        match &self.bars {
            Some(bars) => {
                let _ = bars.println(text);
            }
            None => eprintln!("{text}"),
        }
    }

    /// `ℹ fetching …`
    pub fn info(&self, text: impl AsRef<str>) {
        self.line(format!("{} {}", style("ℹ").cyan(), text.as_ref()));
    }

    /// `✔ done …`
    pub fn success(&self, text: impl AsRef<str>) {
        self.line(format!("{} {}", style("✔").green(), text.as_ref()));
    }

    /// `⚠ …`
    pub fn warn(&self, text: impl AsRef<str>) {
        self.line(format!("{} {}", style("⚠").yellow(), text.as_ref()));
    }

    /// `✖ failed …` — shown even when quiet: failures are results.
    pub fn failure(&self, text: impl AsRef<str>) {
        let text = format!("{} {}", style("✖").red(), text.as_ref());
        match &self.bars {
            Some(bars) => {
                let _ = bars.println(text);
            }
            None => eprintln!("{text}"),
        }
    }

    /// A progress bar of `total` items labelled `label`, or a hidden one when bars are off.
    pub fn bar(&self, label: &str, total: u64) -> ProgressBar {
        let Some(bars) = &self.bars else {
            return ProgressBar::hidden();
        };
        let bar = bars.add(ProgressBar::new(total));
        bar.set_style(
            ProgressStyle::with_template(BAR_TEMPLATE)
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_prefix(label.to_owned());
        bar
    }
}

impl Ui {
    /// A running count of `unit` (`ams  12,345 users`) for work whose total is unknown until
    /// it ends, or a hidden one when bars are off.
    pub fn counter(&self, label: &str, unit: &str) -> ProgressBar {
        let Some(bars) = &self.bars else {
            return ProgressBar::hidden();
        };
        let counter = bars.add(ProgressBar::no_length());
        counter.set_style(ProgressStyle::with_template(COUNTER_TEMPLATE).expect("valid template"));
        counter.set_prefix(label.to_owned());
        counter.set_message(unit.to_owned());
        counter
    }
}

/// Buffers one log event and prints it between bar redraws.
#[derive(Clone)]
pub struct LogWriter {
    bars: Option<MultiProgress>,
    buffer: Arc<Mutex<Vec<u8>>>,
}

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer
            .lock()
            .expect("log buffer")
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let bytes = std::mem::take(&mut *self.buffer.lock().expect("log buffer"));
        if bytes.is_empty() {
            return Ok(());
        }
        let print = || std::io::stderr().write_all(&bytes);
        match &self.bars {
            Some(bars) => bars.suspend(print),
            None => print(),
        }
    }
}

impl Drop for LogWriter {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Ui {
    type Writer = LogWriter;

    fn make_writer(&'a self) -> Self::Writer {
        LogWriter {
            bars: self.bars.clone(),
            buffer: Arc::new(Mutex::new(Vec::new())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Bars are drawn only on a terminal, which no test has: check the templates here.
    #[test]
    fn the_progress_templates_are_valid() {
        assert!(ProgressStyle::with_template(BAR_TEMPLATE).is_ok());
        assert!(ProgressStyle::with_template(COUNTER_TEMPLATE).is_ok());
    }
}
