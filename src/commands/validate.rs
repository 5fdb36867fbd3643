use std::path::Path;
use std::process::ExitCode;

use crate::baseline::{Baseline, RegionSelection};

pub fn run(path: &Path) -> anyhow::Result<ExitCode> {
    let baseline = Baseline::load(path)?;
    let regions = match &baseline.scope.regions {
        RegionSelection::All => "every enabled region".to_owned(),
        RegionSelection::Listed(regions) => regions.join(", "),
    };
    let rules = baseline
        .config
        .as_ref()
        .map_or(0, |config| config.rules.len());
    println!(
        "{} is valid: GuardDuty {}, AWS Config {} with {rules} managed rules; regions: {regions}; home region: {}.",
        path.display(),
        if baseline.guardduty.is_some() {
            "on"
        } else {
            "not managed"
        },
        if baseline.config.is_some() {
            "on"
        } else {
            "not managed"
        },
        baseline.scope.home_region
    );
    Ok(ExitCode::SUCCESS)
}
