use std::path::Path;
use std::process::ExitCode;

use crate::baseline::{Baseline, RegionSelection};

pub fn run(path: &Path) -> anyhow::Result<ExitCode> {
    let (baseline, _) = Baseline::read(path)?;
    let regions = match &baseline.scope.regions {
        RegionSelection::All => "every enabled region".to_owned(),
        RegionSelection::Listed(regions) => regions.join(", "),
    };
    let guardduty = match &baseline.guardduty {
        Some(_) => "on",
        None => "not managed",
    };
    let config = match &baseline.config {
        Some(config) => format!("on with {} managed rules", config.rules.len()),
        None => "not managed".to_owned(),
    };
    println!(
        "{} is valid: GuardDuty {guardduty}; AWS Config {config}; regions: {regions}; home region: {}.",
        path.display(),
        baseline.scope.home_region
    );
    Ok(ExitCode::SUCCESS)
}
