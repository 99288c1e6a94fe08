//! Reading the desired state the way the command line asks.

use std::collections::BTreeMap;

use roster_engine::desired::{AttributeType, ColumnMapping};
use roster_engine::{DesiredState, EmptyCells, InputFormat, InputOptions};

use crate::cli::args::{self, DesiredArgs};
use crate::cli::error::{CliError, CliResult};

/// The engine's input options from the command line.
fn options(args: &DesiredArgs) -> CliResult<InputOptions> {
    let mut mapping = ColumnMapping::default();
    for pair in &args.mappings {
        let (header, field) = pair.split_once('=').ok_or_else(|| {
            CliError::new(format!("--map {pair:?}: expected HEADER=FIELD"))
                .hint("for example --map \"E-mail=email\"")
        })?;
        mapping = mapping.with(header.trim(), field.trim());
    }
    let delimiter = match args.delimiter {
        None => None,
        Some(c) if c.is_ascii() => Some(c as u8),
        Some(c) => {
            return Err(CliError::new(format!(
                "--delimiter {c:?}: must be one ASCII character"
            )))
        }
    };
    let attributes: BTreeMap<String, AttributeType> = args
        .attributes
        .iter()
        .map(|name| (name.clone(), AttributeType::Text))
        .collect();
    Ok(InputOptions {
        format: args.format.map(|f| match f {
            args::InputFormat::Csv => InputFormat::Csv,
            args::InputFormat::Json => InputFormat::Json,
            args::InputFormat::Jsonl => InputFormat::Jsonl,
        }),
        delimiter,
        mapping,
        attributes,
        empty_cells: match args.empty_cells {
            args::EmptyCells::Ignore => EmptyCells::Ignore,
            args::EmptyCells::Clear => EmptyCells::Clear,
        },
    })
}

/// Reads `--desired`; every problem in the file is reported at once, before any request.
pub fn read(args: &DesiredArgs) -> CliResult<DesiredState> {
    let path = args.desired.as_ref().ok_or_else(|| {
        CliError::new("no desired state given").hint("pass --desired FILE (CSV, JSON or JSONL)")
    })?;
    let options = options(args)?;
    DesiredState::read_path(path, &options).map_err(|error| {
        CliError::new(error.to_string()).hint(
            "nothing was sent to any site; fix the rows above (declare extra columns with --attribute NAME, or map yours with --map HEADER=FIELD)",
        )
    })
}
