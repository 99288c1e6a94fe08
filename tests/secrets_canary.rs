//! The secrets canary: every site's credential and a user's password are unique canary
//! values; every command of the CLI runs with `-vvv` and `RUST_LOG=trace`; no canary may
//! appear in any stdout or stderr, nor in any file a command wrote (plans, journal, results,
//! failed rows, avatar results).
//!
//! The simulators are started from their generated seeds with the credentials replaced, so
//! the canaries really travel to them (a login or token request with another value fails).

mod common;

use std::path::Path;
use std::process::Output;

use common::{code, stderr, stdout, Sites};
use roster_sim::ams::AmsSim;
use roster_sim::periscope::PeriscopeSim;
use roster_sim::redcap::RedcapSim;
use roster_sim::usersave::{Profile, UsersaveAuth, UsersaveSim};
use roster_sim::{Fleet, SimOptions};

const AMS_PASSWORD: &str = "Canary-Ams-Pw-7f3e91";
/// REDCap tokens are 32 upper-case hex digits.
const REDCAP_TOKEN: &str = "CA4A2F00D5EC2E7B0BADC0DE7E57ED01";
const PERISCOPE_API_KEY: &str = "canary-periscope-key-5c1d0b";
const LUMAPPS_CLIENT_SECRET: &str = "canary-lumapps-secret-92aa4e";
const USER_PASSWORD: &str = "Canary-User-Pw-3d8c77";

const CANARIES: [&str; 5] = [
    AMS_PASSWORD,
    REDCAP_TOKEN,
    PERISCOPE_API_KEY,
    LUMAPPS_CLIENT_SECRET,
    USER_PASSWORD,
];

/// The four simulators, each holding its canary credential.
async fn canary_fleet() -> Fleet {
    let options = SimOptions {
        users: 6,
        ..SimOptions::default()
    };
    let mut ams = AmsSim::generated_seed(&options);
    ams.admin_password = AMS_PASSWORD.to_owned();
    let admin = ams.admin_username.clone();
    ams.passwords.insert(admin, AMS_PASSWORD.to_owned());

    let mut redcap = RedcapSim::generated_seed(&options);
    let admin = redcap.projects[0]
        .users
        .iter_mut()
        .find(|user| user.username == "admin")
        .expect("the seeded project has an admin");
    admin.token = Some(REDCAP_TOKEN.to_owned());

    let mut periscope = PeriscopeSim::generated_seed(&options);
    periscope.sites[0].api_key = PERISCOPE_API_KEY.to_owned();

    let profile = Profile::lumapps();
    let mut lumapps = UsersaveSim::generated_seed(&options, &profile);
    lumapps.access.clients[0].1 = LUMAPPS_CLIENT_SECRET.to_owned();

    let (ams, redcap, periscope, usersave) = tokio::try_join!(
        AmsSim::start_with_seed(options.clone(), ams),
        RedcapSim::start_with_seed(options.clone(), redcap),
        PeriscopeSim::start_with_seed(options.clone(), periscope),
        UsersaveSim::start_with_seed(options, profile, lumapps),
    )
    .expect("simulators start");
    let fleet = Fleet {
        ams,
        redcap,
        periscope,
        usersave,
    };
    assert_eq!(fleet.ams.credentials().password, AMS_PASSWORD);
    assert_eq!(fleet.redcap.credentials().token, REDCAP_TOKEN);
    assert_eq!(fleet.periscope.credentials().api_key, PERISCOPE_API_KEY);
    let UsersaveAuth::OauthApplication { client_secret, .. } = fleet.usersave.credentials().auth
    else {
        panic!("the LumApps profile signs in as an OAuth application");
    };
    assert_eq!(client_secret, LUMAPPS_CLIENT_SECRET);
    fleet
}

/// Fails when any canary is in `text`, naming where.
fn assert_no_canary(text: &str, place: &str) {
    for canary in CANARIES {
        assert!(
            !text.contains(canary),
            "a secret leaked into {place}:\n{}",
            text.lines()
                .filter(|line| line.contains(canary))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// Runs `roster -vvv ARGS` with trace logging, checks its output holds no canary, and
/// returns it.
async fn traced(sites: &Sites, args: &[&str]) -> Output {
    let mut all = vec!["-vvv"];
    all.extend_from_slice(args);
    let output = sites.roster_env(&[("RUST_LOG", "trace")], &all).await;
    let place = args.join(" ");
    assert_no_canary(&stdout(&output), &format!("stdout of `{place}`"));
    assert_no_canary(&stderr(&output), &format!("stderr of `{place}`"));
    output
}

/// Like [`traced`], and the command must succeed.
async fn traced_ok(sites: &Sites, args: &[&str]) -> Output {
    let output = traced(sites, args).await;
    assert_eq!(
        code(&output),
        0,
        "`{}` succeeds:\n{}",
        args.join(" "),
        stderr(&output)
    );
    output
}

/// Every file under `dir` except the inputs that hold secrets on purpose.
fn assert_no_canary_in_files(dir: &Path, inputs: &[&str]) {
    for entry in std::fs::read_dir(dir).expect("folder listed") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            assert_no_canary_in_files(&path, inputs);
            continue;
        }
        if inputs.contains(&name.as_str()) {
            continue;
        }
        let bytes = std::fs::read(&path).expect("file read");
        assert_no_canary(&String::from_utf8_lossy(&bytes), &name);
    }
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_command_prints_or_writes_a_secret() {
    let sites = Sites::around(canary_fleet().await);
    let desired = sites.file(
        "canary.csv",
        &format!(
            "username,email,first_name,last_name,password,dob,sex\n\
             canary.user,canary.user@example.org,Cana,Ry,{USER_PASSWORD},1990-05-17,FEMALE\n"
        ),
    );
    let desired = desired.to_str().unwrap();

    traced_ok(&sites, &["config", "check"]).await;
    traced_ok(&sites, &["sites"]).await;
    for site in roster::simulated::SITES {
        traced_ok(&sites, &["describe", site]).await;
        traced_ok(&sites, &["check", site]).await;
        traced_ok(&sites, &["users", "list", site, "-o", "json"]).await;
        traced_ok(&sites, &["groups", "list", site]).await;
    }
    traced_ok(
        &sites,
        &["plan", "--desired", desired, "--all-sites", "--json"],
    )
    .await;
    traced_ok(
        &sites,
        &[
            "plan",
            "--desired",
            desired,
            "--all-sites",
            "--out",
            "plan.json",
        ],
    )
    .await;
    traced_ok(
        &sites,
        &[
            "apply",
            "plan.json",
            "--yes",
            "--journal",
            "journal.jsonl",
            "--results",
            "results.csv",
            "--failed",
            "failed.csv",
        ],
    )
    .await;
    let created = sites
        .fleet
        .ams
        .state()
        .person_by_username("canary.user")
        .expect("the user was created on AMS");
    assert_eq!(
        created.password.as_deref(),
        Some(USER_PASSWORD),
        "the password did reach the site"
    );
    // The same user with a new surname (an update everywhere), and a second new user.
    let changed = sites.file(
        "changed.csv",
        &format!(
            "username,email,first_name,last_name,password,dob,sex\n\
             canary.user,canary.user@example.org,Cana,Rie,,,\n\
             canary.two,canary.two@example.org,Cana,Two,{USER_PASSWORD}-2,1991-06-18,MALE\n"
        ),
    );
    traced_ok(
        &sites,
        &[
            "apply",
            "--desired",
            changed.to_str().unwrap(),
            "--all-sites",
            "--yes",
            "--journal",
            "journal.jsonl",
            "--results",
            "results.jsonl",
        ],
    )
    .await;
    traced_ok(
        &sites,
        &[
            "copy-user",
            "--from",
            "ams",
            "--user",
            "username=canary.user",
            "--to",
            "periscope,lumapps",
            "--fields",
            "username,email,first_name,last_name",
            "--yes",
        ],
    )
    .await;
    let pictures = sites.dir.path().join("pictures");
    std::fs::create_dir(&pictures).unwrap();
    std::fs::write(pictures.join("canary.user.png"), PNG).unwrap();
    traced_ok(
        &sites,
        &[
            "avatars",
            "upload",
            "ams",
            "--dir",
            pictures.to_str().unwrap(),
            "--results",
            "avatars.csv",
        ],
    )
    .await;
    // A refused login must not quote what it sent either.
    let wrong = std::fs::read_to_string(sites.dir.path().join(".env"))
        .unwrap()
        .replace(AMS_PASSWORD, &format!("{AMS_PASSWORD}-wrong"));
    std::fs::write(sites.dir.path().join(".env"), wrong).unwrap();
    let refused = traced(&sites, &["check", "ams"]).await;
    assert_ne!(code(&refused), 0, "a wrong password is refused");

    for file in [
        "plan.json",
        "journal.jsonl",
        "results.csv",
        "failed.csv",
        "results.jsonl",
        "avatars.csv",
    ] {
        assert!(sites.dir.path().join(file).is_file(), "{file} was written");
    }
    assert_no_canary_in_files(sites.dir.path(), &[".env", "canary.csv", "changed.csv"]);
}
