//! Reading the desired state: formats, mapping, empty cells, and refusing bad input with
//! every problem named at once.

use roster_core::Change;
use roster_engine::desired::{AttributeType, ColumnMapping};
use roster_engine::{DesiredState, EmptyCells, InputFormat, InputOptions};
use serde_json::json;

fn read(text: &str, format: InputFormat, options: &InputOptions) -> Result<DesiredState, String> {
    DesiredState::read_bytes("users", text.as_bytes(), format, options).map_err(|e| e.to_string())
}

#[test]
fn csv_with_semicolons_mapping_and_declared_attributes() {
    let mut options = InputOptions {
        mapping: ColumnMapping::default()
            .with("E-Mail", "email")
            .with("Vorname", "first_name"),
        ..InputOptions::default()
    };
    options
        .attributes
        .insert("team".into(), AttributeType::Text);
    let state = read(
        "E-Mail;Vorname;active;groups;team;dob\n\
         ada@x.org;Ada;yes;\"coaches; staff\";A;1815-12-10\n",
        InputFormat::Csv,
        &options,
    )
    .unwrap();
    let ada = &state.users[0];
    assert_eq!(ada.line, 2);
    assert_eq!(ada.email, Change::Set("ada@x.org".into()));
    assert_eq!(ada.first_name, Change::Set("Ada".into()));
    assert_eq!(ada.active, Change::Set(true));
    assert_eq!(
        ada.groups,
        Change::Set(vec!["coaches".into(), "staff".into()])
    );
    assert_eq!(ada.attributes["team"], Change::Set(json!("A")));
    assert_eq!(ada.attributes["dob"], Change::Set(json!("1815-12-10")));
    assert!(ada.username.is_leave() && ada.last_name.is_leave());
}

#[test]
fn tabs_are_detected_and_a_given_delimiter_wins() {
    let state = read(
        "email\tfirst_name\nada@x.org\tAda\n",
        InputFormat::Csv,
        &InputOptions::default(),
    )
    .unwrap();
    assert_eq!(state.users[0].first_name, Change::Set("Ada".into()));
    let options = InputOptions {
        delimiter: Some(b'|'),
        ..InputOptions::default()
    };
    let state = read(
        "email|first_name\nada@x.org|Ada\n",
        InputFormat::Csv,
        &options,
    )
    .unwrap();
    assert_eq!(state.users[0].first_name, Change::Set("Ada".into()));
}

#[test]
fn empty_cells_are_ignored_unless_asked_to_clear() {
    let text = "email,first_name,groups,known_as\nada@x.org,,,\n";
    let ignored = read(text, InputFormat::Csv, &InputOptions::default()).unwrap();
    assert!(ignored.users[0].first_name.is_leave());
    assert!(ignored.users[0].groups.is_leave());
    assert!(ignored.users[0].attributes.is_empty());
    let options = InputOptions {
        empty_cells: EmptyCells::Clear,
        ..InputOptions::default()
    };
    let cleared = read(text, InputFormat::Csv, &options).unwrap();
    assert_eq!(cleared.users[0].first_name, Change::Clear);
    assert_eq!(cleared.users[0].groups, Change::Clear);
    assert_eq!(cleared.users[0].attributes["known_as"], Change::Clear);
}

#[test]
fn json_and_jsonl_problems_name_their_lines() {
    let json = r#"[
  {"email": "ada@x.org", "groups": ["coaches"], "active": true},
  {"email": "bob@x.org",
   "active": "perhaps"}
]"#;
    let error = read(json, InputFormat::Json, &InputOptions::default()).unwrap_err();
    assert!(
        error.contains("users:3: column active: \"perhaps\": not a boolean"),
        "{error}"
    );
    let jsonl = "{\"email\": \"ada@x.org\", \"groups\": [\"a\", \"b\"]}\n\n{\"email\": \"ADA@x.org\"}\n{\"nick\": 1}\n";
    let error = read(jsonl, InputFormat::Jsonl, &InputOptions::default()).unwrap_err();
    assert!(
        error.contains(
            "users:3: column email: \"ADA@x.org\": duplicate key: line 1 has the same email"
        ),
        "{error}"
    );
    assert!(
        error.contains("users:4: column nick: unknown column"),
        "{error}"
    );
    let fine = read(
        jsonl.lines().next().unwrap(),
        InputFormat::Jsonl,
        &InputOptions::default(),
    )
    .unwrap();
    assert_eq!(
        fine.users[0].groups,
        Change::Set(vec!["a".into(), "b".into()])
    );
}

#[test]
fn a_bom_and_a_wrong_encoding_are_refused_before_anything_else() {
    let error = DesiredState::read_bytes(
        "users.csv",
        b"\xEF\xBB\xBFemail\nada@x.org\n",
        InputFormat::Csv,
        &InputOptions::default(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("byte order mark"));
    let error = DesiredState::read_bytes(
        "users.csv",
        b"email,first_name\nada@x.org,Andr\xE9\n",
        InputFormat::Csv,
        &InputOptions::default(),
    )
    .unwrap_err();
    assert_eq!(error.problems[0].line, 2);
    assert!(error.problems[0].message.contains("wrong encoding"));
}

#[test]
fn a_password_is_kept_secret() {
    let state = read(
        "email,password\nada@x.org,hunter2-secret\n",
        InputFormat::Csv,
        &InputOptions::default(),
    )
    .unwrap();
    assert!(state.users[0].password.is_some());
    assert!(!format!("{state:?}").contains("hunter2-secret"));
}

#[test]
fn a_file_is_read_with_the_format_its_name_suggests() {
    let path = std::env::temp_dir().join(format!("roster-desired-{}.jsonl", std::process::id()));
    std::fs::write(&path, "{\"email\": \"ada@x.org\"}\n").unwrap();
    let state = DesiredState::read_path(&path, &InputOptions::default()).unwrap();
    assert_eq!(state.users.len(), 1);
    assert!(state.source.ends_with(".jsonl"));
    std::fs::remove_file(&path).unwrap();
}
