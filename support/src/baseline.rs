//! Baselines written to temp files.

use std::path::{Path, PathBuf};

use crate::unique_name;

/// A baseline written to a temp file, removed when dropped.
pub struct TempBaseline {
    path: PathBuf,
}

impl TempBaseline {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path as a `&str`, for argument lists: `["plan", "--baseline", b.path_str()]`.
    pub fn path_str(&self) -> &str {
        self.path.to_str().expect("temp path is UTF-8")
    }
}

impl Drop for TempBaseline {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Writes `contents` to a fresh `.toml` file in the temp dir.
pub fn write_baseline(contents: &str) -> TempBaseline {
    let path = std::env::temp_dir().join(format!("{}.toml", unique_name("watchpost-baseline")));
    std::fs::write(&path, contents)
        .unwrap_or_else(|e| panic!("write baseline {}: {e}", path.display()));
    TempBaseline { path }
}

/// A small baseline with every kind of resource, in `home` and `other`: alert topics in both
/// (for the GuardDuty finding rule of each region, and the sign-in rule in us-east-1), and the
/// KMS key in `home`, and Security Hub in both with the finding aggregator in `home`.
pub fn every_kind_baseline(home: &str, other: &str) -> String {
    format!(
        r#"
[scope]
regions = ["{home}", "{other}"]
home_region = "{home}"

[guardduty]
[guardduty.finding_alerts]

[kms]

[config]
[config.rules]
restricted-ssh = {{}}
iam-root-access-key-check = {{}}

[cloudtrail]

[alerts]
emails = ["security@example.com"]

[signin_notification]

[alarms]
[alarms.filters]
root-account-use = {{}}
console-signin-failures = {{}}

[security_hub]
"#
    )
}
