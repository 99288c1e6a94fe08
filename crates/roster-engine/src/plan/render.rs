//! The plan for people: `+` create, `~` update, `-` delete or deactivate, `!` disputed,
//! `x` a plan error, and a summary line per site.

use std::fmt::{self, Write};

use serde_json::Value;

use super::model::{Action, Phase, Plan, PlanItem, SitePlan};

fn value(value: &Option<Value>) -> String {
    match value {
        None => "(none)".into(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

fn item_line(out: &mut String, item: &PlanItem) -> fmt::Result {
    let key = &item.key;
    match &item.action {
        Action::CreateGroup { group } => write!(out, "  + group {}", group.name)?,
        Action::CreateUser {
            user,
            line,
            password,
        } => {
            write!(out, "  + {key} (line {line})")?;
            let mut fields = Vec::new();
            let named = [
                ("username", &user.username),
                ("email", &user.email),
                ("first_name", &user.first_name),
                ("last_name", &user.last_name),
            ];
            for (name, field) in named {
                if let Some(v) = field {
                    fields.push(format!("{name}: {v}"));
                }
            }
            if let Some(active) = user.active {
                fields.push(format!("active: {active}"));
            }
            for (name, v) in &user.attributes {
                fields.push(format!("{name}: {}", self::value(&Some(v.clone()))));
            }
            if *password {
                fields.push("password: (sensitive)".into());
            }
            if !fields.is_empty() {
                write!(out, " {{{}}}", fields.join(", "))?;
            }
        }
        Action::UpdateUser { changes, .. } => {
            write!(out, "  ~ {key}")?;
            for change in changes {
                write!(
                    out,
                    "\n      {}: {} → {}",
                    change.field,
                    value(&change.before),
                    value(&change.after)
                )?;
            }
        }
        Action::AddMember { group, .. } => write!(out, "  ~ {key}  groups: +{group}")?,
        Action::RemoveMember { group, .. } => write!(out, "  ~ {key}  groups: -{group}")?,
        Action::DeactivateUser { .. } => write!(out, "  - {key}  deactivate")?,
        Action::DeleteUser { .. } => write!(out, "  - {key}  delete")?,
        Action::DeleteGroup { group } => write!(out, "  - group {group}")?,
    }
    if let Some(note) = &item.note {
        write!(out, "  ({note})")?;
    }
    if item.held.is_some() {
        write!(out, "  [held back by max_deletes]")?;
    }
    out.push('\n');
    Ok(())
}

/// One site's part of the rendering.
pub fn render_site(site: &SitePlan) -> String {
    let mut out = String::new();
    let _ = write_site(&mut out, site);
    out
}

fn write_site(out: &mut String, site: &SitePlan) -> fmt::Result {
    writeln!(out, "site {} ({}):", site.site, site.backend)?;
    let mut items: Vec<&PlanItem> = site.items.iter().collect();
    items.sort_by_key(|item| (item.action.phase(), item.id));
    for item in items {
        item_line(out, item)?;
    }
    for dispute in &site.disputed {
        let lines: Vec<String> = dispute.lines.iter().map(u64::to_string).collect();
        writeln!(
            out,
            "  ! {} (line {}): {} (site user ids {}); not applied",
            dispute.key,
            lines.join(", "),
            dispute.reason,
            dispute.user_ids.join(", ")
        )?;
    }
    for error in &site.errors {
        const SHOWN: usize = 10;
        let mut rows = error
            .rows
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if error.rows.len() > SHOWN {
            write!(rows, " and {} more", error.rows.len() - SHOWN)?;
        }
        writeln!(
            out,
            "  x error: {}: {rows}\n      → {}",
            error.message, error.suggestion
        )?;
    }
    for note in &site.notes {
        writeln!(out, "  note: {note}")?;
    }
    let c = site.counts();
    // Creates and updates are always shown; the other counts only when there are some.
    let mut parts = vec![
        format!("{} to create", c.create),
        format!("{} to update", c.update),
    ];
    for (count, what) in [
        (c.membership, "membership change(s)"),
        (c.deactivate, "to deactivate"),
        (c.delete, "to delete"),
        (c.groups, "group change(s)"),
        (c.held, "held back"),
        (c.disputed, "disputed"),
        (c.unchanged, "unchanged"),
        (site.protected, "protected"),
        (site.errors.len(), "error(s)"),
    ] {
        if count > 0 {
            parts.push(format!("{count} {what}"));
        }
    }
    writeln!(out, "  summary {}: {}", site.site, parts.join(", "))
}

impl fmt::Display for Plan {
    /// The human rendering: every site's items by phase, disputes, errors, notes, summary.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "plan from {}", self.source)?;
        for site in &self.sites {
            f.write_str(&render_site(site))?;
        }
        if self.is_empty() {
            writeln!(f, "no changes")?;
        }
        Ok(())
    }
}

impl Phase {
    /// The phase's snake_case name.
    pub fn name(&self) -> &'static str {
        match self {
            Phase::GroupCreates => "group_creates",
            Phase::UserCreates => "user_creates",
            Phase::Updates => "updates",
            Phase::MembershipAdds => "membership_adds",
            Phase::MembershipRemoves => "membership_removes",
            Phase::Removals => "removals",
            Phase::GroupDeletes => "group_deletes",
        }
    }
}
