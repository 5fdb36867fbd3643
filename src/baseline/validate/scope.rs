//! `[scope]`: the regions a run covers, its home region, and the one account it may be pinned to.

use toml::Spanned;

use super::super::raw::{RawRegions, RawScope};
use super::super::{RegionSelection, Scope};
use super::checks::Checks;
use super::sections::{Sections, Written};
use crate::model::partition;

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
    sections.scope = match written.value {
        Some(value) => checks
            .section::<RawScope>(written.name, value)
            .and_then(|raw| checks.scope(raw)),
        None => {
            checks.error(
                checks.document_start..checks.document_start,
                "missing [scope]",
                "add [scope] with `regions` (\"all\" or a list) and `home_region`",
            );
            None
        }
    };
    checks.home_region = sections
        .scope
        .as_ref()
        .map(|scope| scope.home_region.clone());
}

impl Checks<'_> {
    fn scope(&mut self, raw: RawScope) -> Option<Scope> {
        let regions = self.regions(&raw.regions);
        let home = raw.home_region.get_ref();
        let home_ok = self.known_region(home, raw.home_region.span());
        if let (Some(RegionSelection::Listed(listed)), true) = (&regions, home_ok)
            && !listed.contains(home)
        {
            self.error(
                raw.home_region.span(),
                format!("home region `{home}` is not one of `regions`"),
                "add it to `regions`: the home region holds the log bucket and global recording",
            );
        }
        if let (RawRegions::List(items), true) = (raw.regions.get_ref(), home_ok) {
            let home_partition = partition(home);
            for item in items
                .iter()
                .filter(|item| partition(item.get_ref()) != home_partition)
            {
                self.error(
                    item.span(),
                    format!(
                        "region `{}` is in another AWS partition than the home region `{home}`",
                        item.get_ref()
                    ),
                    "credentials work in one partition (aws, aws-cn or aws-us-gov): run watchpost once per partition",
                );
            }
        }
        if let Some(account) = &raw.account_id {
            self.account_id(account);
        }
        Some(Scope {
            regions: regions?,
            home_region: home.clone(),
            account_id: raw.account_id.map(Spanned::into_inner),
        })
    }

    fn regions(&mut self, value: &Spanned<RawRegions>) -> Option<RegionSelection> {
        let hint = "write regions = \"all\" or a list such as [\"us-east-1\", \"eu-west-1\"]";
        match value.get_ref() {
            RawRegions::Keyword(all) if all == "all" => Some(RegionSelection::All),
            RawRegions::List(items) if !items.is_empty() => {
                let mut listed: Vec<String> = Vec::new();
                let mut valid = true;
                for item in items {
                    let region = item.get_ref();
                    if listed.contains(region) {
                        valid = false;
                        self.error(
                            item.span(),
                            format!("region `{region}` is listed twice"),
                            "list each region once",
                        );
                    } else {
                        valid &= self.known_region(region, item.span());
                        listed.push(region.clone());
                    }
                }
                valid.then_some(RegionSelection::Listed(listed))
            }
            RawRegions::List(_) => {
                self.error(value.span(), "`regions` is an empty list", hint);
                None
            }
            RawRegions::Keyword(other) => {
                self.error(
                    value.span(),
                    format!("`regions = \"{other}\"` is not accepted"),
                    hint,
                );
                None
            }
        }
    }
}
