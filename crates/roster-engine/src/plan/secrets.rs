//! Passwords are never saved with a plan; applying a saved plan gets them back from the
//! desired-state file it was made from.

use std::collections::HashMap;

use super::model::{Action, Plan};
use crate::desired::DesiredState;

impl Plan {
    /// Puts the passwords of `desired` back into the creates of a plan loaded from JSON,
    /// matching each create to the row of the same line and label. Returns how many creates
    /// that need a password still lack one (0 when all were restored).
    pub fn restore_passwords(&mut self, desired: &DesiredState) -> usize {
        let rows: HashMap<u64, _> = desired
            .users
            .iter()
            .filter(|row| row.password.is_some())
            .map(|row| (row.line, row))
            .collect();
        let mut missing = 0;
        for site in &mut self.sites {
            for item in &mut site.items {
                let Action::CreateUser {
                    user,
                    line,
                    password: true,
                } = &mut item.action
                else {
                    continue;
                };
                match rows.get(line).filter(|row| row.label() == user.label()) {
                    Some(row) => user.password = row.password.clone(),
                    None if user.password.is_none() => missing += 1,
                    None => {}
                }
            }
        }
        missing
    }
}
