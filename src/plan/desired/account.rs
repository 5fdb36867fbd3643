//! Account settings: the password policy, S3 Block Public Access, the security contact and the
//! support role, placed once for the account (`global`); EBS encryption by default and an
//! Access Analyzer in every region.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::{Context, Desired};
use crate::baseline::{
    CIS_MINIMUM_PASSWORD_LENGTH, CIS_PASSWORD_REUSE_PREVENTION, PasswordPolicy, SupportRole,
    is_account_id,
};
use crate::model::policy::canonical;
use crate::model::{
    AnalyzerSpec, EbsEncryptionSpec, GLOBAL, Kind, PasswordPolicySpec, PublicAccessBlockSpec,
    ResourceId, RoleSpec, SecurityContactSpec, Spec,
};

pub fn resources(context: &Context<'_>, desired: &mut Vec<Desired>) {
    let baseline = context.baseline;
    if let Some(policy) = &baseline.password_policy {
        let id = ResourceId::singleton(Kind::PasswordPolicy, GLOBAL);
        let live = match context.live(&id) {
            Some(Spec::PasswordPolicy(live)) => Some(live),
            _ => None,
        };
        desired.push(Desired {
            spec: Spec::PasswordPolicy(password_policy(policy, live)),
            id,
            depends_on: Vec::new(),
        });
    }
    if let Some(block) = &baseline.account_public_access_block {
        desired.push(Desired {
            id: ResourceId::singleton(Kind::AccountPublicAccessBlock, GLOBAL),
            spec: Spec::PublicAccessBlock(PublicAccessBlockSpec {
                block_public_acls: block.block_public_acls,
                ignore_public_acls: block.ignore_public_acls,
                block_public_policy: block.block_public_policy,
                restrict_public_buckets: block.restrict_public_buckets,
            }),
            depends_on: Vec::new(),
        });
    }
    if let Some(contact) = &baseline.security_contact {
        desired.push(Desired {
            id: ResourceId::singleton(Kind::SecurityContact, GLOBAL),
            spec: Spec::SecurityContact(SecurityContactSpec {
                name: contact.name.clone(),
                title: contact.title.clone(),
                email_address: contact.email.clone(),
                phone_number: contact.phone.clone(),
            }),
            depends_on: Vec::new(),
        });
    }
    if let Some(support) = &baseline.support_role {
        desired.push(support_role(context, support));
    }
    if let Some(ebs) = &baseline.ebs_encryption {
        for region in &context.placed(Kind::EbsEncryption) {
            desired.push(Desired {
                id: ResourceId::singleton(Kind::EbsEncryption, region),
                spec: Spec::EbsEncryption(EbsEncryptionSpec {
                    enabled: true,
                    kms_key_id: ebs.kms_key_ids.get(region).cloned(),
                }),
                depends_on: Vec::new(),
            });
        }
    }
    if let Some(analyzer) = &baseline.access_analyzer {
        for region in &context.placed(Kind::AccessAnalyzer) {
            let name = context.adopted_name(Kind::AccessAnalyzer, region, &analyzer.name);
            desired.push(Desired {
                id: ResourceId::singleton(Kind::AccessAnalyzer, region),
                spec: Spec::Analyzer(AnalyzerSpec {
                    name,
                    analyzer_type: "ACCOUNT".to_owned(),
                    status: None,
                }),
                depends_on: Vec::new(),
            });
        }
    }
}

/// The role with AWS's `AWSSupportAccess` policy, trusted by the principals named (an account id
/// as that account's root, which lets the account's IAM policies decide), else by this account.
fn support_role(context: &Context<'_>, support: &SupportRole) -> Desired {
    let root = |account: &str| format!("arn:{}:iam::{account}:root", context.partition);
    let principals: Vec<String> = match support.principals.as_slice() {
        [] => vec![root(context.account)],
        named => named
            .iter()
            .map(|principal| match is_account_id(principal) {
                true => root(principal),
                false => principal.clone(),
            })
            .collect(),
    };
    Desired {
        id: ResourceId::new(Kind::IamRole, GLOBAL, &support.name),
        spec: Spec::Role(RoleSpec {
            trust_policy: canonical(&json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"AWS": principals},
                    "Action": "sts:AssumeRole"
                }]
            })),
            managed_policy_arns: BTreeSet::from([format!(
                "arn:{}:iam::aws:policy/AWSSupportAccess",
                context.partition
            )]),
            inline_policies: BTreeMap::new(),
        }),
        depends_on: Vec::new(),
    }
}

/// What the baseline declares, with the CIS floors for the length and the reuse prevention
/// when it declares neither, and the live value of every other field: `UpdateAccountPasswordPolicy`
/// replaces the whole policy, so what the baseline leaves to the account is written back as it
/// is, and compares equal.
fn password_policy(
    policy: &PasswordPolicy,
    live: Option<&PasswordPolicySpec>,
) -> PasswordPolicySpec {
    let live = live.cloned().unwrap_or_default();
    let floor = |declared: Option<i32>, live: Option<i32>, cis: i32| {
        declared.or(Some(live.unwrap_or(0).max(cis)))
    };
    PasswordPolicySpec {
        minimum_password_length: floor(
            policy.minimum_password_length,
            live.minimum_password_length,
            CIS_MINIMUM_PASSWORD_LENGTH,
        ),
        require_symbols: policy.require_symbols.or(live.require_symbols),
        require_numbers: policy.require_numbers.or(live.require_numbers),
        require_uppercase_characters: policy
            .require_uppercase_characters
            .or(live.require_uppercase_characters),
        require_lowercase_characters: policy
            .require_lowercase_characters
            .or(live.require_lowercase_characters),
        allow_users_to_change_password: policy
            .allow_users_to_change_password
            .or(live.allow_users_to_change_password),
        max_password_age: policy.max_password_age.or(live.max_password_age),
        password_reuse_prevention: floor(
            policy.password_reuse_prevention,
            live.password_reuse_prevention,
            CIS_PASSWORD_REUSE_PREVENTION,
        ),
        hard_expiry: policy.hard_expiry.or(live.hard_expiry),
    }
}

/// The account settings through the planner, on data. IAM Access Analyzer is tested here only:
/// moto, which the integration tests run against, has no Access Analyzer.
#[cfg(test)]
mod tests {
    use crate::baseline::Baseline;
    use crate::model::{
        AnalyzerSpec, EbsEncryptionSpec, GLOBAL, Kind, Live, Observed, PasswordPolicySpec,
        PublicAccessBlockSpec, ResourceId, Spec,
    };
    use crate::plan::{Action, desired_resources, destroy, plan, render_full};

    const KEY: &str = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn baseline(sections: &str) -> Baseline {
        let source = format!(
            "[scope]\nregions = [\"eu-west-1\", \"us-east-1\"]\nhome_region = \"us-east-1\"\n{sections}"
        );
        Baseline::parse("baseline.toml", &source).unwrap()
    }

    fn all_settings() -> Baseline {
        baseline(&format!(
            "[password_policy]\nrequire_symbols = true\n[account_public_access_block]\n\
             [ebs_encryption.kms_key_ids]\n\"eu-west-1\" = \"{KEY}\"\n[access_analyzer]\n"
        ))
    }

    fn empty_account() -> Observed {
        Observed {
            account_id: "111122223333".to_owned(),
            regions: vec!["eu-west-1".to_owned(), "us-east-1".to_owned()],
            ..Observed::default()
        }
    }

    /// A fresh account as AWS has it: no password policy, no account-wide block, EBS
    /// encryption by default off, no analyzer.
    fn fresh_account() -> Observed {
        let mut observed = empty_account();
        for region in ["eu-west-1", "us-east-1"] {
            observed.resources.insert(
                ResourceId::singleton(Kind::EbsEncryption, region),
                setting(Spec::EbsEncryption(EbsEncryptionSpec {
                    enabled: false,
                    kms_key_id: (region == "eu-west-1")
                        .then(|| "arn:aws:kms:eu-west-1:111122223333:alias/aws/ebs".to_owned()),
                })),
            );
        }
        observed
    }

    fn setting(spec: Spec) -> Live {
        Live {
            spec,
            live_id: None,
            owned: false,
        }
    }

    /// The account after a successful apply: what was planned is what is there, the analyzers
    /// active and tagged as watchpost's.
    fn converged(baseline: &Baseline) -> Observed {
        let mut observed = empty_account();
        for desired in desired_resources(baseline, &observed.clone()) {
            let live = match desired.spec {
                Spec::Analyzer(mut analyzer) => {
                    analyzer.status = Some("ACTIVE".to_owned());
                    Live {
                        live_id: Some(analyzer.name.clone()),
                        spec: Spec::Analyzer(analyzer),
                        owned: true,
                    }
                }
                Spec::PasswordPolicy(policy) => setting(Spec::PasswordPolicy(PasswordPolicySpec {
                    // As IAM reports a policy: every field, none for what was not sent.
                    require_numbers: Some(false),
                    require_uppercase_characters: Some(false),
                    require_lowercase_characters: Some(false),
                    allow_users_to_change_password: Some(false),
                    max_password_age: Some(0),
                    hard_expiry: Some(false),
                    ..policy
                })),
                spec => setting(spec),
            };
            observed.resources.insert(desired.id, live);
        }
        observed
    }

    fn live_policy(observed: &mut Observed) -> &mut PasswordPolicySpec {
        let id = ResourceId::singleton(Kind::PasswordPolicy, GLOBAL);
        match observed.resources.get_mut(&id) {
            Some(Live {
                spec: Spec::PasswordPolicy(policy),
                ..
            }) => policy,
            other => panic!("no password policy: {other:?}"),
        }
    }

    #[test]
    fn a_fresh_account_gets_every_setting() {
        let plan = plan(&all_settings(), &fresh_account());
        insta::assert_snapshot!(render_full(&plan, false));
    }

    #[test]
    fn a_converged_account_has_no_changes() {
        let baseline = all_settings();
        let plan = plan(&baseline, &converged(&baseline));
        assert!(plan.is_empty(), "{plan:#?}");
        assert_eq!(plan.unchanged.len(), 2 + 2 + 2);
        assert!(plan.notes.is_empty(), "{:?}", plan.notes);
    }

    #[test]
    fn drift_becomes_updates_that_name_each_field() {
        let baseline = all_settings();
        let mut observed = converged(&baseline);
        let policy = live_policy(&mut observed);
        policy.minimum_password_length = Some(8);
        policy.require_symbols = Some(false);
        // Not declared: kept as it is, and sent back as it is.
        policy.require_numbers = Some(true);
        policy.max_password_age = Some(60);
        if let Some(Live {
            spec: Spec::PublicAccessBlock(block),
            ..
        }) = observed.resources.get_mut(&ResourceId::singleton(
            Kind::AccountPublicAccessBlock,
            GLOBAL,
        )) {
            block.restrict_public_buckets = false;
        }
        if let Some(Live {
            spec: Spec::EbsEncryption(ebs),
            ..
        }) = observed
            .resources
            .get_mut(&ResourceId::singleton(Kind::EbsEncryption, "eu-west-1"))
        {
            ebs.enabled = false;
            ebs.kms_key_id = None;
        }
        let plan = plan(&baseline, &observed);
        assert_eq!(plan.count(Action::Update), 3);
        let policy = plan
            .changes
            .iter()
            .find_map(|change| match &change.spec {
                Spec::PasswordPolicy(policy) => Some(policy),
                _ => None,
            })
            .unwrap();
        assert_eq!(policy.require_numbers, Some(true));
        assert_eq!(policy.max_password_age, Some(60));
        insta::assert_snapshot!(render_full(&plan, false));
    }

    #[test]
    fn the_cis_values_are_floors_unless_declared() {
        let mut observed = empty_account();
        let stricter = PasswordPolicySpec {
            minimum_password_length: Some(20),
            password_reuse_prevention: Some(24),
            ..PasswordPolicySpec::default()
        };
        observed.resources.insert(
            ResourceId::singleton(Kind::PasswordPolicy, GLOBAL),
            setting(Spec::PasswordPolicy(stricter)),
        );
        assert!(plan(&baseline("[password_policy]\n"), &observed).is_empty());

        live_policy(&mut observed).password_reuse_prevention = Some(5);
        let raised = plan(&baseline("[password_policy]\n"), &observed);
        assert_eq!(raised.changes.len(), 1);
        let fields: Vec<String> = raised.changes[0]
            .fields
            .iter()
            .map(|f| format!("{}: {:?} → {}", f.field, f.before, f.after))
            .collect();
        assert_eq!(fields, ["password_reuse_prevention: Some(Number(5)) → 24"]);

        let exact = plan(
            &baseline("[password_policy]\nminimum_password_length = 14\n"),
            &observed,
        );
        assert_eq!(exact.changes[0].fields[0].field, "minimum_password_length");
        assert_eq!(exact.changes[0].fields[0].after, 14);
    }

    #[test]
    fn an_existing_analyzer_is_adopted_under_its_name_and_one_not_active_is_noted() {
        let baseline = baseline("[access_analyzer]\n");
        let mut observed = empty_account();
        observed.resources.insert(
            ResourceId::singleton(Kind::AccessAnalyzer, "eu-west-1"),
            Live {
                spec: Spec::Analyzer(AnalyzerSpec {
                    name: "ConsoleAnalyzer-1234".to_owned(),
                    analyzer_type: "ACCOUNT".to_owned(),
                    status: Some("FAILED".to_owned()),
                }),
                live_id: Some("ConsoleAnalyzer-1234".to_owned()),
                owned: false,
            },
        );
        let plan = plan(&baseline, &observed);
        let created: Vec<String> = plan.changes.iter().map(|c| c.id.to_string()).collect();
        assert_eq!(created, ["access_analyzer/us-east-1"]);
        assert_eq!(
            plan.notes,
            [
                "access_analyzer/eu-west-1: the analyzer is FAILED, not ACTIVE, and finds nothing while it is; see its status reason in the IAM Access Analyzer console"
            ]
        );
        let Spec::Analyzer(adopted) = &plan.unchanged[0].1 else {
            panic!("the adopted analyzer is unchanged")
        };
        assert_eq!(adopted.name, "ConsoleAnalyzer-1234");
    }

    #[test]
    fn an_analyzer_that_could_not_be_read_is_left_out() {
        let mut observed = empty_account();
        observed.gaps.push(crate::model::Gap {
            place: "access_analyzer/eu-west-1".to_owned(),
            call: "access-analyzer:ListAnalyzers".to_owned(),
            reason: "HTTP 500".to_owned(),
            hint: None,
        });
        let plan = plan(&baseline("[access_analyzer]\n"), &observed);
        let planned: Vec<String> = plan.changes.iter().map(|c| c.id.to_string()).collect();
        assert_eq!(planned, ["access_analyzer/us-east-1"]);
    }

    #[test]
    fn destroy_removes_the_analyzers_watchpost_made_and_leaves_the_settings() {
        let baseline = all_settings();
        let mut observed = converged(&baseline);
        if let Some(live) = observed
            .resources
            .get_mut(&ResourceId::singleton(Kind::AccessAnalyzer, "us-east-1"))
        {
            live.owned = false;
        }
        let plan = destroy(&baseline, &observed, false);
        insta::assert_snapshot!(render_full(&plan, false));
    }

    #[test]
    fn an_analyzer_made_in_a_region_taken_out_of_scope_is_removed() {
        let baseline = baseline("[access_analyzer]\n");
        let mut observed = converged(&baseline);
        observed.regions = vec!["us-east-1".to_owned()];
        let plan = plan(&baseline, &observed);
        let deleted: Vec<(String, Action)> = plan
            .changes
            .iter()
            .map(|c| (c.id.to_string(), c.action))
            .collect();
        assert_eq!(
            deleted,
            [("access_analyzer/eu-west-1".to_owned(), Action::Delete)]
        );
    }

    #[test]
    fn public_access_block_flags_may_be_turned_off_one_by_one() {
        let baseline = baseline("[account_public_access_block]\nblock_public_policy = false\n");
        let plan = plan(&baseline, &empty_account());
        assert_eq!(
            plan.changes[0].spec,
            Spec::PublicAccessBlock(PublicAccessBlockSpec {
                block_public_acls: true,
                ignore_public_acls: true,
                block_public_policy: false,
                restrict_public_buckets: true,
            })
        );
    }
}
