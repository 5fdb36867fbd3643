//! `[support_role]`: an IAM role with the AWS managed `AWSSupportAccess` policy (CIS 2.16), and
//! who may assume it. A principal IAM would refuse in a trust policy is refused here, rather than
//! by `CreateRole` halfway through an apply.

use toml::Spanned;

use super::super::raw::RawSupportRole;
use super::super::{SupportRole, is_account_id};
use super::checks::Checks;
use super::primitives::IAM_NAME_CHARACTERS;
use super::sections::{Sections, Written};

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
    sections.support_role = checks.declared(written, Checks::support_role);
}

impl Checks<'_> {
    fn support_role(&mut self, raw: RawSupportRole) -> Option<SupportRole> {
        let before = self.problems.len();
        let name = self.aws_name(
            raw.name,
            "watchpost-support",
            "IAM role name",
            64,
            IAM_NAME_CHARACTERS,
        );
        let principals: Vec<String> = raw
            .principals
            .unwrap_or_default()
            .into_iter()
            .map(|principal| self.support_principal(principal))
            .collect();
        (self.problems.len() == before).then_some(SupportRole { name, principals })
    }

    fn support_principal(&mut self, principal: Spanned<String>) -> String {
        let text = principal.get_ref();
        if !(is_account_id(text) || is_principal_arn(text)) {
            self.error(
                principal.span(),
                format!("`{text}` is not a principal a role can trust"),
                "give an account id (\"123456789012\") or the ARN of an account, role or user (\"arn:aws:iam::123456789012:role/SupportStaff\")",
            );
        }
        principal.into_inner()
    }
}

/// `arn:PARTITION:iam::ACCOUNT:root`, `...:role/PATH/NAME` or `...:user/PATH/NAME`.
fn is_principal_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts[..] else {
        return false;
    };
    let named = |kind: &str| {
        resource
            .strip_prefix(kind)
            .is_some_and(|name| !name.is_empty() && !name.ends_with('/'))
    };
    arn == "arn"
        && partition.starts_with("aws")
        && service == "iam"
        && region.is_empty()
        && is_account_id(account)
        && (resource == "root" || named("role/") || named("user/"))
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    const SCOPE: &str = "[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\n";

    #[test]
    fn the_support_role_is_the_accounts_to_hand_out_unless_principals_are_named() {
        let baseline = parse(&format!("{SCOPE}[support_role]\n")).unwrap();
        let role = baseline.support_role.unwrap();
        assert_eq!(role.name, "watchpost-support");
        assert!(role.principals.is_empty());

        let baseline = parse(&format!(
            "{SCOPE}[support_role]\nprincipals = [\"111122223333\", \"arn:aws:iam::111122223333:role/ops/SupportStaff\"]\n"
        ))
        .unwrap();
        assert_eq!(
            baseline.support_role.unwrap().principals,
            [
                "111122223333",
                "arn:aws:iam::111122223333:role/ops/SupportStaff"
            ]
        );
    }

    #[test]
    fn a_principal_a_trust_policy_cannot_name_is_refused() {
        let problems = parse(&format!(
            "{SCOPE}[support_role]\nprincipals = [\"ops-team\", \"arn:aws:iam::111122223333:group/ops\"]\n"
        ))
        .unwrap_err();
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`ops-team` is not a principal a role can trust",
                "`arn:aws:iam::111122223333:group/ops` is not a principal a role can trust"
            ]
        );
    }
}
