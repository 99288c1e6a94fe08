//! One module per command.

pub mod apply;
pub mod avatars;
pub mod check;
pub mod completions;
pub mod config_check;
pub mod copy_user;
pub mod demo;
pub mod describe;
mod desired;
pub mod list;
pub mod plan;
mod report_files;
mod run;
pub mod sim;
pub mod sites;
