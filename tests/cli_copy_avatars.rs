//! `roster copy-user` to three sites and `roster avatars upload` on AMS.

mod common;

use common::{code, stderr, stdout, Sites};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_user_lands_on_three_sites_as_one_plan() {
    let sites = Sites::start(6).await;
    // Someone on the AMS site only.
    let person = sites
        .fleet
        .ams
        .state()
        .persons()
        .into_iter()
        .find(|p| p.username.contains('.'))
        .unwrap();
    let (redcap, periscope, lumapps) = (
        sites.fleet.redcap.state().duplicate_identities(),
        sites.fleet.periscope.state().users().len(),
        sites.fleet.usersave.state().users().len(),
    );
    let key = format!("username={}", person.username);
    let output = sites
        .roster(&[
            "copy-user",
            "--from",
            "ams",
            "--user",
            &key,
            "--to",
            "redcap,periscope,lumapps",
            "--fields",
            "username,email,first_name,last_name",
            "--yes",
        ])
        .await;
    assert_eq!(code(&output), 0, "{}\n{}", stdout(&output), stderr(&output));
    let plan = stdout(&output);
    for site in ["redcap", "periscope", "lumapps"] {
        assert!(
            plan.contains(&format!("site {site} ")),
            "one plan across the targets: {plan}"
        );
    }
    assert!(stderr(&output).contains("copying the fields: email, first_name, last_name, username"));
    assert!(sites.fleet.usersave.state().users().len() >= lumapps);
    assert!(sites.fleet.periscope.state().users().len() >= periscope);
    assert_eq!(sites.fleet.redcap.state().duplicate_identities(), redcap);

    let again = sites
        .roster(&[
            "copy-user",
            "--from",
            "ams",
            "--user",
            &key,
            "--to",
            "redcap,periscope,lumapps",
            "--fields",
            "username,email,first_name,last_name",
            "--yes",
        ])
        .await;
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert!(
        stderr(&again).contains("every target already has this user"),
        "{}",
        stderr(&again)
    );
    assert_eq!(sites.fleet.duplicate_identities(), 0);
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn avatars_upload_reports_one_row_per_file() {
    let sites = Sites::start(6).await;
    let people: Vec<_> = sites
        .fleet
        .ams
        .state()
        .persons()
        .into_iter()
        .filter(|p| p.username.contains('.'))
        .take(2)
        .collect();
    let pictures = sites.dir.path().join("pictures");
    std::fs::create_dir(&pictures).unwrap();
    for person in &people {
        std::fs::write(pictures.join(format!("{}.png", person.username)), PNG).unwrap();
    }
    std::fs::write(pictures.join("nobody.here.png"), PNG).unwrap();
    std::fs::write(pictures.join("broken.user.jpg"), b"not a jpeg").unwrap();

    let output = sites
        .roster(&[
            "avatars",
            "upload",
            "ams",
            "--dir",
            pictures.to_str().unwrap(),
            "--key",
            "username",
            "--results",
            "avatars.csv",
        ])
        .await;
    assert_eq!(code(&output), 1, "two files fail: {}", stderr(&output));
    let results = std::fs::read_to_string(sites.dir.path().join("avatars.csv")).unwrap();
    assert_eq!(results.lines().count(), 1 + 4, "{results}");
    assert_eq!(results.matches("SUCCESS").count(), 2, "{results}");
    assert_eq!(results.matches("FAILED").count(), 2, "{results}");
    for person in &people {
        let now = sites
            .fleet
            .ams
            .state()
            .person_by_username(&person.username)
            .unwrap();
        assert_ne!(
            now.avatar_id, person.avatar_id,
            "{} has the new picture",
            person.username
        );
        assert_eq!(
            now.email_address, person.email_address,
            "every other field kept"
        );
        assert_eq!(now.date_of_birth, person.date_of_birth);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_user_by_default_leaves_out_what_the_targets_cannot_take() {
    let sites = Sites::start(4).await;
    let output = sites
        .roster(&[
            "copy-user",
            "--from",
            "ams",
            "--user",
            "username=api.admin",
            "--to",
            "redcap,periscope,lumapps",
            "--yes",
        ])
        .await;
    assert_eq!(code(&output), 0, "{}\n{}", stdout(&output), stderr(&output));
    let err = stderr(&output);
    // The source's own computed fields (the AMS role list) are not offered for copying.
    assert!(
        err.contains("copying the fields:") && !err.contains(" role,"),
        "{err}"
    );
    assert!(
        stdout(&output).contains("(not writable on this backend)"),
        "{}",
        stdout(&output)
    );
    assert_eq!(sites.fleet.duplicate_identities(), 0);
}
