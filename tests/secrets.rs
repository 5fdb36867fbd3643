//! Credentials never leave the process: not on stdout or stderr (even with every log enabled),
//! not in a saved plan.

use support::{Moto, Watchpost};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const SECRET_ACCESS_KEY: &str = "wpSecretKeyThatMustNeverAppear0123456789";
const SESSION_TOKEN: &str = "wpSessionTokenThatMustNeverAppear9876543210";

#[tokio::test]
async fn no_output_holds_the_secret_key_or_the_session_token() {
    let (moto, baseline) = Moto::start_with_baseline(
        WATCHPOST,
        "[scope]\nregions = [\"us-east-1\", \"eu-west-1\"]\nhome_region = \"us-east-1\"\n\
         [guardduty]\n[config]\n[config.rules]\nrestricted-ssh = {}\n\
         [cloudtrail]\n[alerts]\nemails = [\"security@example.com\"]\n",
    );
    let dir = std::env::temp_dir().join(format!("watchpost-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let saved = dir.join("plan.json");
    let saved = saved.to_str().unwrap();
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKIAWATCHPOSTTEST001"),
        ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY),
        ("AWS_SESSION_TOKEN", SESSION_TOKEN),
        ("RUST_LOG", "trace"),
        ("WATCHPOST_PROPAGATION_TIMEOUT_SECONDS", "5"),
    ];
    let path = baseline.path_str();
    let runs = [
        moto.watchpost_with_env(&["plan", "--baseline", path, "--out", saved], &env),
        moto.watchpost_with_env(&["apply", "--baseline", path, saved], &env),
        moto.watchpost_with_env(&["plan", "--baseline", path, "--json"], &env),
        moto.watchpost_with_env(
            &[
                "apply",
                "--baseline",
                path,
                "--auto-approve",
                "--json",
                "--notify",
            ],
            &env,
        ),
        moto.watchpost_with_env(&["status", "--baseline", path, "--json"], &env),
        // An error path too: a second account reached through a role, with a bad region list.
        moto.watchpost_with_env(
            &[
                "plan",
                "--baseline",
                path,
                "--accounts",
                "111111111111",
                "--region",
                "xx-nowhere-1",
            ],
            &env,
        ),
    ];
    runs[1].assert_success();
    let saved_text = std::fs::read_to_string(saved).unwrap();
    let mut outputs: Vec<(String, &str)> = vec![("the saved plan".to_owned(), &saved_text)];
    for run in &runs {
        outputs.push((format!("stdout of {:?}", run.args), &run.stdout));
        outputs.push((format!("stderr of {:?}", run.args), &run.stderr));
    }
    // The trace logs are large: the test is only worth its name if they were written.
    assert!(
        runs[0].stderr.len() > 10_000,
        "RUST_LOG=trace wrote nothing"
    );
    for (place, text) in outputs {
        for secret in [SECRET_ACCESS_KEY, SESSION_TOKEN] {
            assert!(!text.contains(secret), "{place} holds a credential");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
