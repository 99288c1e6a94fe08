//! Fields a site does not manage — read-only on its backend, attributes it has no field for,
//! or listed in its policy's `ignore_fields` — are left out of that site's plan and named.

use std::collections::BTreeMap;
use std::sync::Arc;

use roster_core::{Capabilities, MemoryDirectory, SharedDirectory, UserDirectory, UserQuery};
use roster_engine::apply::ApplyHooks;
use roster_engine::desired::AttributeType;
use roster_engine::{DesiredState, InputFormat, InputOptions, RunOptions, Site, SitePolicy};

const ROWS: &str = "username,email,first_name,password,dob\n\
    ann,ann@example.org,Ann,Secret-1,1990-01-02\n";

fn desired() -> DesiredState {
    let options = InputOptions {
        attributes: BTreeMap::from([("dob".to_owned(), AttributeType::Text)]),
        ..InputOptions::default()
    };
    DesiredState::read_bytes("users.csv", ROWS.as_bytes(), InputFormat::Csv, &options)
        .expect("valid input")
}

#[tokio::test]
async fn each_site_plans_only_the_fields_it_manages_and_converges() {
    // Like REDCap: account fields read-only, a few attributes, and passwords ignored by policy.
    let caps = Capabilities {
        read_only_fields: vec!["email".into(), "first_name".into()],
        writable_attributes: Some(vec!["role".into()]),
        ..Capabilities::full()
    };
    let memory = Arc::new(MemoryDirectory::new("trials").with_capabilities(caps));
    let shared: SharedDirectory = memory.clone();
    let policy = SitePolicy {
        key_order: vec![roster_core::UserKeyKind::Username],
        ignore_fields: vec!["password".into()],
        max_deletes: None,
        ..SitePolicy::default()
    };
    let sites = [Site::new(shared, policy)];

    let plan = roster_engine::plan(&desired(), &sites).await;
    let text = plan.to_string();
    assert!(!plan.has_errors(), "{text}");
    assert!(
        text.contains("not managed on this site: email, first_name (read-only on this backend); dob (not writable on this backend); password (ignore_fields)"),
        "{text}"
    );
    assert!(
        text.contains("+ ann (line 2) {username: ann}"),
        "only the username is sent: {text}"
    );

    let report = roster_engine::apply(&plan, &sites, &RunOptions::default(), ApplyHooks::default())
        .await
        .expect("applied");
    assert!(report.is_success(), "{report:?}");
    let users = memory.list_users(&UserQuery::all()).await.unwrap();
    assert_eq!(users.len(), 1);
    assert!(users[0].email.is_none() && users[0].attributes.is_empty());

    let again = roster_engine::plan(&desired(), &sites).await;
    assert!(again.is_empty(), "{again}");
}
