//! What several engine tests share.

use roster_engine::{DesiredState, InputFormat, InputOptions};

/// A desired state read from CSV text with the default options; the text must be valid.
pub fn desired(csv: &str) -> DesiredState {
    DesiredState::read_bytes(
        "users.csv",
        csv.as_bytes(),
        InputFormat::Csv,
        &InputOptions::default(),
    )
    .expect("valid input")
}
