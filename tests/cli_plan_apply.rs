//! plan → apply → plan again, saved plans, guards and confirmation, on the real binary
//! against the simulators.

mod common;

use common::{code, stderr, stdout, Sites};

const NEW_PEOPLE: &str = "email,first_name,last_name\n\
    ada.lovelace@example.org,Ada,Lovelace\n\
    alan.turing@example.org,Alan,Turing\n\
    grace.hopper@example.org,Grace,Hopper\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_then_plan_again_is_empty() {
    let sites = Sites::start(8).await;
    let desired = sites.file("people.csv", NEW_PEOPLE);
    let desired = desired.to_str().unwrap();
    let before = sites.fleet.usersave.state().users().len();

    let plan = sites
        .roster(&[
            "plan",
            "--desired",
            desired,
            "--site",
            "lumapps",
            "--detailed-exitcode",
        ])
        .await;
    assert_eq!(code(&plan), 2, "changes present: {}", stderr(&plan));
    assert!(
        stdout(&plan).contains("+ ada.lovelace@example.org"),
        "{}",
        stdout(&plan)
    );

    let apply = sites
        .roster(&[
            "apply",
            "--desired",
            desired,
            "--site",
            "lumapps",
            "--yes",
            "--results",
            "results.csv",
        ])
        .await;
    assert_eq!(code(&apply), 0, "{}\n{}", stdout(&apply), stderr(&apply));
    assert_eq!(sites.fleet.usersave.state().users().len(), before + 3);
    let results = std::fs::read_to_string(sites.dir.path().join("results.csv")).unwrap();
    assert_eq!(
        results
            .lines()
            .filter(|l| l.contains(",succeeded,"))
            .count(),
        3,
        "{results}"
    );
    assert!(
        sites.dir.path().join("roster.journal.jsonl").is_file(),
        "the default journal is written"
    );

    let again = sites
        .roster(&[
            "plan",
            "--desired",
            desired,
            "--site",
            "lumapps",
            "--detailed-exitcode",
        ])
        .await;
    assert_eq!(code(&again), 0, "no changes left: {}", stdout(&again));
    assert_eq!(sites.fleet.duplicate_identities(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_is_refused_once_the_site_changed() {
    let sites = Sites::start(8).await;
    let desired = sites.file("people.csv", NEW_PEOPLE);
    let plan = sites
        .roster(&[
            "plan",
            "--desired",
            desired.to_str().unwrap(),
            "--site",
            "lumapps",
            "--out",
            "plan.json",
        ])
        .await;
    assert_eq!(code(&plan), 0, "{}", stderr(&plan));

    // Someone else changes the site between plan and apply.
    let other = sites.file(
        "other.csv",
        "email,first_name,last_name\nlin.yu@example.org,Lin,Yu\n",
    );
    let change = sites
        .roster(&[
            "apply",
            "--desired",
            other.to_str().unwrap(),
            "--site",
            "lumapps",
            "--yes",
            "--journal",
            "other.jsonl",
        ])
        .await;
    assert_eq!(code(&change), 0, "{}", stderr(&change));
    let before = sites.fleet.usersave.state().users().len();

    let stale = sites.roster(&["apply", "plan.json", "--yes"]).await;
    assert_eq!(code(&stale), 3, "{}", stderr(&stale));
    assert!(
        stderr(&stale).contains("changed since the plan was made"),
        "{}",
        stderr(&stale)
    );
    assert_eq!(
        sites.fleet.usersave.state().users().len(),
        before,
        "nothing applied"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_deletes_apply_none_and_exit_3() {
    let sites = Sites::start(12).await;
    let config = std::fs::read_to_string(&sites.config).unwrap().replace(
        "[sites.periscope]\n",
        "[sites.periscope]\norphan_policy = \"delete\"\nmax_deletes = 2\n",
    );
    std::fs::write(&sites.config, config).unwrap();
    let keep = sites.fleet.periscope.state().users()[0].email.clone();
    let desired = sites.file("one.csv", &format!("email\n{keep}\n"));
    let before = sites.fleet.periscope.state().users().len();

    let apply = sites
        .roster(&[
            "apply",
            "--desired",
            desired.to_str().unwrap(),
            "--site",
            "periscope",
            "--yes",
        ])
        .await;
    assert_eq!(code(&apply), 3, "{}\n{}", stdout(&apply), stderr(&apply));
    assert!(
        stdout(&apply).contains("max_deletes"),
        "the plan says why: {}",
        stdout(&apply)
    );
    assert_eq!(
        sites.fleet.periscope.state().users().len(),
        before,
        "zero deletes applied"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_without_yes_off_a_terminal_is_refused() {
    let sites = Sites::start(4).await;
    let desired = sites.file("people.csv", NEW_PEOPLE);
    let before = sites.fleet.usersave.state().users().len();
    let apply = sites
        .roster(&[
            "apply",
            "--desired",
            desired.to_str().unwrap(),
            "--site",
            "lumapps",
        ])
        .await;
    assert_eq!(code(&apply), 1);
    assert!(stderr(&apply).contains("--yes"), "{}", stderr(&apply));
    assert_eq!(sites.fleet.usersave.state().users().len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_reported_by_line_and_nothing_is_sent() {
    let sites = Sites::start(4).await;
    let desired = sites.file(
        "bad.csv",
        "email,first_name,colour\nnot-an-email,Ann,red\nann@example.org,Ann,blue\nann@example.org,Bo,green\n",
    );
    let requests = sites.fleet.total_requests();
    let plan = sites
        .roster(&[
            "plan",
            "--desired",
            desired.to_str().unwrap(),
            "--site",
            "lumapps",
        ])
        .await;
    assert_eq!(code(&plan), 1);
    let text = stderr(&plan);
    assert!(text.contains("bad.csv"), "{text}");
    assert!(text.contains("colour"), "unknown column named: {text}");
    assert_eq!(
        sites.fleet.total_requests(),
        requests,
        "no request reached any site"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_creates_users_with_the_passwords_of_its_desired_file() {
    let sites = Sites::start(4).await;
    let desired = sites.file(
        "new.csv",
        "username,email,first_name,last_name,password,dob,sex\n\
         ines.moreau,ines.moreau@example.org,Ines,Moreau,Saved-Plan-Pw-1,1994-03-12,FEMALE\n",
    );
    let plan = sites
        .roster(&[
            "plan",
            "--desired",
            desired.to_str().unwrap(),
            "--site",
            "ams",
            "--out",
            "plan.json",
        ])
        .await;
    assert_eq!(code(&plan), 0, "{}", stderr(&plan));
    let saved = std::fs::read_to_string(sites.dir.path().join("plan.json")).unwrap();
    assert!(
        !saved.contains("Saved-Plan-Pw-1"),
        "no password in the plan"
    );

    let apply = sites.roster(&["apply", "plan.json", "--yes"]).await;
    assert_eq!(code(&apply), 0, "{}\n{}", stdout(&apply), stderr(&apply));
    let person = sites
        .fleet
        .ams
        .state()
        .person_by_username("ines.moreau")
        .expect("created");
    assert_eq!(person.password.as_deref(), Some("Saved-Plan-Pw-1"));
}
