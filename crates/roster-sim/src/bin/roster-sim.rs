//! Starts the simulators on loopback, prints their URLs and credentials as one JSON object on
//! stdout (one key per simulator), then serves until interrupted.
//!
//! ```text
//! roster-sim [--seed N] [--users N] [--latency-ms N] [--fault-rate F] [--rate-limit RPS]
//! ```

use std::io::Write;
use std::time::Duration;

use roster_sim::redcap::{EXPIRED_USER, RESTRICTED_USER};
use roster_sim::usersave::UsersaveAuth;
use roster_sim::{Fleet, SimOptions};
use serde_json::{json, Map, Value};

const USAGE: &str =
    "usage: roster-sim [--seed N] [--users N] [--latency-ms N] [--fault-rate F] [--rate-limit RPS]";

fn parse_args() -> Result<SimOptions, String> {
    let mut options = SimOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = format!("{flag}: not a valid value: {value}");
        match flag.as_str() {
            "--seed" => options.seed = value.parse().map_err(|_| bad.clone())?,
            "--users" => options.users = value.parse().map_err(|_| bad.clone())?,
            "--latency-ms" => {
                options.latency = Duration::from_millis(value.parse().map_err(|_| bad.clone())?)
            }
            "--fault-rate" => options.faults.rate = value.parse().map_err(|_| bad.clone())?,
            "--rate-limit" => options.rate_limit = Some(value.parse().map_err(|_| bad.clone())?),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let mut info = Map::new();

    // One entry per simulator; the fleet keeps them serving until the process ends.
    let fleet = Fleet::start(options.clone()).await?;
    let (ams, redcap, periscope, usersave) =
        (&fleet.ams, &fleet.redcap, &fleet.periscope, &fleet.usersave);
    let creds = ams.credentials();
    info.insert(
        "ams".into(),
        json!({
            "url": creds.site_url,
            "site_url": creds.site_url,
            "username": creds.username,
            "password": creds.password,
        }),
    );

    let creds = redcap.credentials();
    info.insert(
        "redcap".into(),
        json!({
            "url": creds.api_url,
            "api_url": creds.api_url,
            "token": creds.token,
            "version": redcap.state().version(),
            "users": options.users,
            "restricted_token": redcap.state().token_for(1, RESTRICTED_USER),
            "expired_token": redcap.state().token_for(1, EXPIRED_USER),
        }),
    );

    let creds = periscope.credentials();
    info.insert(
        "periscope".into(),
        json!({
            "url": periscope.url(),
            "site_name": creds.site_name,
            "api_key": creds.api_key,
            "auth_header": creds.auth_header(),
            "admin_email": creds.admin_email,
        }),
    );

    // The LumApps profile; the generic profile is started from Rust (`start_with_profile`).
    let creds = usersave.credentials();
    let mut entry = json!({
        "url": usersave.url(),
        "profile": creds.profile,
        "customer_id": creds.customer_id,
        "instance_id": creds.instance_id,
        "acting_user_email": creds.acting_user_email,
        "group_type": creds.group_type,
    });
    if let UsersaveAuth::OauthApplication {
        client_id,
        client_secret,
        token_path,
    } = creds.auth
    {
        entry["client_id"] = json!(client_id);
        entry["client_secret"] = json!(client_secret);
        entry["token_url"] = json!(format!("{}{token_path}", usersave.url()));
    }
    info.insert("usersave".into(), entry);

    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", Value::Object(info))?;
    stdout.flush()?;
    drop(stdout);

    tokio::signal::ctrl_c().await?;
    drop(fleet);
    Ok(())
}
