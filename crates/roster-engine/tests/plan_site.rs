//! Planning one site from an observed state: guards on orphans, one-group-per-user sites,
//! groups that do not exist, and the rendering.

use roster_core::{Capabilities, Change, Group, User};
use roster_engine::desired::DesiredUser;
use roster_engine::plan::{plan_site, Action, SitePlan, SiteView};
use roster_engine::{DesiredState, Observed, OrphanPolicy, SitePolicy};

fn user(id: &str, email: &str, groups: &[&str]) -> User {
    User {
        id: id.into(),
        email: Some(email.into()),
        active: Some(true),
        groups: Some(groups.iter().map(|g| g.to_string()).collect()),
        ..User::default()
    }
}

fn row(email: &str, groups: &[&str]) -> DesiredUser {
    DesiredUser {
        line: 2,
        email: Change::Set(email.into()),
        groups: Change::Set(groups.iter().map(|g| g.to_string()).collect()),
        ..DesiredUser::default()
    }
}

fn group(name: &str) -> Group {
    Group {
        name: name.into(),
        ..Group::default()
    }
}

fn plan(
    rows: Vec<DesiredUser>,
    observed: Observed,
    caps: Capabilities,
    policy: SitePolicy,
) -> SitePlan {
    let desired = DesiredState {
        source: "users.csv".into(),
        users: rows,
    };
    let view = SiteView {
        name: "club",
        backend: "memory",
        capabilities: &caps,
        policy: &policy,
    };
    plan_site(&desired, &observed, view)
}

fn deleting() -> SitePolicy {
    SitePolicy {
        orphans: OrphanPolicy::Delete,
        max_deletes: None,
        ..SitePolicy::default()
    }
}

#[test]
fn an_empty_desired_state_never_turns_into_mass_orphan_actions() {
    let observed = Observed::complete(
        vec![user("1", "a@x.org", &[]), user("2", "b@x.org", &[])],
        vec![],
    );
    let site = plan(vec![], observed, Capabilities::full(), deleting());
    assert!(site.items.is_empty());
    assert!(
        site.notes[0].contains("desired state is empty"),
        "{:?}",
        site.notes
    );
}

#[test]
fn an_incomplete_listing_disables_orphan_actions() {
    let mut observed = Observed::complete(
        vec![user("1", "a@x.org", &[]), user("2", "b@x.org", &[])],
        vec![],
    );
    observed.complete = false;
    let site = plan(
        vec![row("a@x.org", &[])],
        observed,
        Capabilities::full(),
        deleting(),
    );
    assert!(site.items.iter().all(|i| !i.action.is_removal()));
    assert!(!site.complete_listing);
    assert!(site
        .notes
        .iter()
        .any(|n| n.contains("listing is incomplete")));
}

#[test]
fn with_one_group_per_user_joining_moves_the_user_and_no_removal_is_planned() {
    let caps = Capabilities {
        max_groups_per_user: Some(1),
        ..Capabilities::full()
    };
    let observed = Observed::complete(
        vec![user("1", "a@x.org", &["north"])],
        vec![group("north"), group("south")],
    );
    let site = plan(
        vec![row("a@x.org", &["south"])],
        observed.clone(),
        caps.clone(),
        SitePolicy::default(),
    );
    assert_eq!(site.items.len(), 1, "{site:?}");
    assert!(matches!(&site.items[0].action, Action::AddMember { group, .. } if group == "south"));
    assert!(site.items[0]
        .note
        .as_deref()
        .unwrap()
        .contains("moves the user out of north"));

    let two = plan(
        vec![row("a@x.org", &["north", "south"])],
        observed,
        caps,
        SitePolicy::default(),
    );
    assert!(
        two.errors[0].message.contains("at most 1 group"),
        "{:?}",
        two.errors
    );
}

#[test]
fn groups_the_site_lacks_are_created_first_or_refused() {
    let observed = Observed::complete(vec![], vec![]);
    let site = plan(
        vec![row("a@x.org", &["new"])],
        observed.clone(),
        Capabilities::full(),
        SitePolicy::default(),
    );
    let phases: Vec<_> = site.items.iter().map(|i| i.action.name()).collect();
    assert_eq!(phases, ["create_user", "add_member", "create_group"]);
    let rendered = roster_engine::plan::render_site(&site);
    let group_line = rendered.find("+ group new").unwrap();
    assert!(
        group_line < rendered.find("+ a@x.org").unwrap(),
        "rendered by phase:\n{rendered}"
    );

    let fixed_groups = Capabilities {
        create_group: false,
        ..Capabilities::full()
    };
    let site = plan(
        vec![row("a@x.org", &["new"])],
        observed,
        fixed_groups,
        SitePolicy::default(),
    );
    assert_eq!(site.errors[0].rows, ["new"]);
    assert!(site.errors[0]
        .suggestion
        .contains("create these groups on the site first"));
}

#[test]
fn the_rendering_shows_every_kind_of_line_and_a_summary() {
    let observed = Observed::complete(
        vec![
            User {
                first_name: Some("Ada".into()),
                ..user("1", "ada@x.org", &[])
            },
            user("2", "gone@x.org", &[]),
        ],
        vec![],
    );
    let rows = vec![
        DesiredUser {
            first_name: Change::Set("Augusta".into()),
            ..row("ada@x.org", &[])
        },
        row("new@x.org", &[]),
    ];
    let site = plan(rows, observed, Capabilities::full(), deleting());
    let text = roster_engine::plan::render_site(&site);
    assert!(
        text.contains("  ~ ada@x.org\n      first_name: Ada → Augusta\n"),
        "{text}"
    );
    assert!(
        text.contains("  + new@x.org (line 2) {email: new@x.org}"),
        "{text}"
    );
    assert!(
        text.contains("  - gone@x.org  delete  (orphan: not in the desired state)"),
        "{text}"
    );
    assert!(
        text.contains("summary club: 1 to create, 1 to update, 1 to delete"),
        "{text}"
    );
}

#[test]
fn a_groups_column_the_site_cannot_read_is_an_error_even_for_unchanged_users() {
    let blind = Capabilities {
        read_membership: false,
        ..Capabilities::full()
    };
    let mut ada = user("1", "a@x.org", &[]);
    ada.groups = None;
    let observed = Observed::complete(vec![ada], vec![group("g")]);
    let site = plan(
        vec![row("a@x.org", &["g"])],
        observed,
        blind,
        SitePolicy::default(),
    );
    assert_eq!(site.errors.len(), 1, "{:?}", site.errors);
    assert_eq!(site.errors[0].rows, ["a@x.org (line 2)"]);
    assert!(site.errors[0]
        .suggestion
        .contains("drop the `groups` column"));
}
