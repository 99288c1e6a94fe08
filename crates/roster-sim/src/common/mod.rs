//! Plumbing shared by the four simulators: options and knobs, the server handle, request
//! counters and deterministic seed people. Nothing here knows a platform's wire format; each
//! simulator passes in the responses its platform gives for a rate limit or a server fault.

mod counters;
mod json_style;
mod knobs;
mod options;
mod ordered_json;
mod people;
mod server;

pub use counters::Counters;
pub use json_style::{to_styled_vec, JsonStyle};
pub use knobs::{knobs_layer, FaultResponses, Knobs};
pub use options::{FaultKind, FaultOptions, SimOptions};
pub use ordered_json::OrderedJson;
pub use people::{seed_group_names, seed_people, SeedPerson};
pub use server::SimHandle;
