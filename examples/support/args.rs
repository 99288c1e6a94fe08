//! The benchmarks' command line: `--scale N` (the population, so CI can run a small one) and
//! a few named options, parsed by hand to keep the examples free of extra dependencies.

/// Parsed arguments: `--name value` pairs.
pub struct Args {
    pairs: Vec<(String, String)>,
}

impl Args {
    /// Reads `std::env::args()`; `usage` is printed for `--help` or a malformed line.
    pub fn parse(usage: &str) -> Self {
        let mut pairs = Vec::new();
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            if flag == "--help" || flag == "-h" {
                println!("{usage}");
                std::process::exit(0);
            }
            let (Some(name), Some(value)) = (flag.strip_prefix("--"), args.next()) else {
                eprintln!("{usage}");
                std::process::exit(2);
            };
            pairs.push((name.to_owned(), value));
        }
        Self { pairs }
    }

    /// The value of `--name`, if given.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `--name` as a number, else `default`; a value that is not a number ends the program.
    pub fn number(&self, name: &str, default: usize) -> usize {
        match self.text(name) {
            None => default,
            Some(text) => text.replace(['_', ','], "").parse().unwrap_or_else(|_| {
                eprintln!("--{name} {text}: not a whole number");
                std::process::exit(2)
            }),
        }
    }

    /// `--scale N`, the benchmark's population, else `default`.
    pub fn scale(&self, default: usize) -> usize {
        self.number("scale", default).max(1)
    }
}
