use super::super::catalog;
use super::super::{AccountRole, AccountSelection, RegionSelection};
use super::alarms::{ALARM_DESCRIPTION_MAX, check_filter_pattern};
use super::{is_placeholder_address, parse, warnings};
use crate::model::Encryption;

fn problems(source: &str) -> Vec<String> {
    parse(source)
        .expect_err("the baseline should be rejected")
        .into_iter()
        .map(|problem| match problem.hint {
            Some(hint) => format!("{} ({hint})", problem.message),
            None => problem.message,
        })
        .collect()
}

pub(super) const SCOPE: &str =
    "[scope]\nregions = [\"us-east-1\", \"eu-west-1\"]\nhome_region = \"us-east-1\"\n";

#[test]
fn the_recommended_baseline_is_valid() {
    let baseline = parse(include_str!("../../../baseline.toml")).unwrap();
    assert_eq!(baseline.scope.regions, RegionSelection::All);
    let config = baseline.config.unwrap();
    assert_eq!(config.rules.len(), 13);
    assert_eq!(
        config.rules["restricted-ssh"].source_identifier,
        "INCOMING_SSH_DISABLED"
    );
    assert_eq!(
        config.rules["acm-certificate-expiration-check"].input_parameters["daysToExpiration"],
        "14"
    );
    assert_eq!(baseline.guardduty.unwrap().features.len(), 6);
}

#[test]
fn guardduty_accepts_the_api_models_features_and_refuses_eks_runtime_monitoring() {
    let source = format!(
        "{SCOPE}[guardduty]\n[guardduty.features]\nAI_PROTECTION = true\nAI_ANALYST = false\n"
    );
    let features = parse(&source).unwrap().guardduty.unwrap().features;
    assert_eq!(features.len(), 2, "{features:?}");

    let source =
        format!("{SCOPE}[guardduty]\n[guardduty.features]\nEKS_RUNTIME_MONITORING = true\n");
    let found = problems(&source);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("is part of `RUNTIME_MONITORING`"),
        "{found:#?}"
    );
}

/// The features the baseline accepts are those of the API model the SDK was built from, so a
/// feature AWS adds is known once the SDK is updated and this test says where.
#[test]
fn the_guardduty_features_are_the_api_models() {
    use aws_sdk_guardduty::types::DetectorFeature;
    let mut model: Vec<&str> = DetectorFeature::values()
        .iter()
        .copied()
        .filter(|name| *name != catalog::RUNTIME_MONITORING_INCLUDES.0)
        .collect();
    let mut accepted = catalog::GUARDDUTY_FEATURES.to_vec();
    model.sort_unstable();
    accepted.sort_unstable();
    assert_eq!(accepted, model, "update catalog::GUARDDUTY_FEATURES");
}

#[test]
fn every_problem_is_reported_at_once() {
    let source = format!(
        "{SCOPE}[guardduty]\nfinding_publishing_frequency = \"HOURLY\"\n\
         [guardduty.features]\nS3_DATA_EVENT = true\n\
         [config]\nrole_nam = \"x\"\n[config.rules]\nrestriced-ssh = {{}}\n\
         acm-certificate-expiration-check = {{ daysToExpiration = \"soon\" }}\n"
    );
    let found = problems(&source);
    assert_eq!(found.len(), 5, "{found:#?}");
    assert!(found[0].contains("unknown finding publishing frequency `HOURLY`"));
    assert!(
        found[1].contains("did you mean \"S3_DATA_EVENTS\"?"),
        "{found:#?}"
    );
    assert!(found[2].contains("unknown key `config.role_nam`"));
    assert!(found[2].contains("did you mean \"role_name\"?"));
    assert!(found[3].contains("did you mean \"restricted-ssh\"?"));
    assert!(found[4].contains("must be an integer"));
}

#[test]
fn problems_point_at_their_place() {
    let source = format!("{SCOPE}[config.rules]\nrestricted-ssh = {{ port = 22 }}\n");
    let problem = &parse(&source).unwrap_err()[0];
    assert_eq!(&source[problem.span.clone()], "port");
}

#[test]
fn unknown_and_duplicate_regions_are_refused() {
    let found = problems(
        "[scope]\nregions = [\"us-east-1\", \"eu-westt-1\", \"us-east-1\"]\nhome_region = \"mars-1\"\n",
    );
    assert!(
        found
            .iter()
            .any(|p| p.contains("unknown region `eu-westt-1` (did you mean \"eu-west-1\"?)"))
    );
    assert!(found.iter().any(|p| p.contains("listed twice")));
    assert!(found.iter().any(|p| p.contains("unknown region `mars-1`")));
}

#[test]
fn the_home_region_must_be_in_scope() {
    let found = problems("[scope]\nregions = [\"eu-west-1\"]\nhome_region = \"us-east-1\"\n");
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("not one of `regions`"));
}

#[test]
fn malformed_toml_is_reported_with_its_place() {
    let source = "[scope]\nregions = [\"us-east-1\"\nhome_region = \"us-east-1\"\n";
    let found = parse(source).unwrap_err();
    assert!(!found.is_empty());
    assert!(found[0].span.start > 8, "points into the broken array");
}

#[test]
fn a_wrong_type_names_the_key_and_a_quoted_number_says_so() {
    let found = problems(&format!(
        "{SCOPE}[log_bucket]\nexpire_after_days = \"a year\"\n"
    ));
    assert_eq!(
        found,
        ["`log_bucket.expire_after_days`: expected a number, found a string \"a year\""]
    );
    let found = problems(&format!(
        "{SCOPE}[alarms]\nthreshold = \" 2.5\"\n[cloudtrail]\n[alerts]\nemails = [\"a@corp.io\"]\n"
    ));
    assert_eq!(
        found,
        [
            "`alarms.threshold`: expected a number, found a string \" 2.5\"; write 2.5 without quotes"
        ]
    );
}

#[test]
fn an_unknown_key_of_a_nested_table_is_named_in_it() {
    let found = problems(&format!(
        "{SCOPE}[alarms.filters.root-account-use]\npatern = \"x\"\n[cloudtrail]\n[alerts]\nemails = [\"a@corp.io\"]\n"
    ));
    assert_eq!(
        found,
        ["unknown key `alarms.filters.root-account-use.patern` (did you mean \"pattern\"?)"]
    );
}

#[test]
fn unknown_sections_and_missing_scope_are_reported() {
    let found = problems("[guarduty]\n");
    assert!(
        found
            .iter()
            .any(|p| p.contains("unknown section `guarduty` (did you mean \"guardduty\"?)"))
    );
    assert!(found.iter().any(|p| p.contains("missing [scope]")));
}

#[test]
fn rule_parameters_are_typed_and_written_as_aws_stores_them() {
    let source = format!(
        "{SCOPE}[config.rules]\nec2-volume-inuse-check = {{ deleteOnTermination = true }}\n\
         s3-bucket-policy-grantee-check = {{ servicePrincipals = [\"a\", \"b\"] }}\n"
    );
    let rules = parse(&source).unwrap().config.unwrap().rules;
    assert_eq!(
        rules["ec2-volume-inuse-check"].input_parameters["deleteOnTermination"],
        "true"
    );
    assert_eq!(
        rules["s3-bucket-policy-grantee-check"].input_parameters["servicePrincipals"],
        "a,b"
    );
}

#[test]
fn kms_encryption_needs_a_key_and_a_key_needs_kms() {
    let found = problems(&format!("{SCOPE}[log_bucket]\nencryption = \"SSE-KMS\"\n"));
    assert!(found[0].contains("SSE-KMS needs a key"));
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let found = problems(&format!("{SCOPE}[log_bucket]\nkms_key_id = \"{key}\"\n"));
    assert!(found[0].contains("kms_key_id is set but encryption is SSE-S3"));
    let found = problems(&format!(
        "{SCOPE}[log_bucket]\nencryption = \"SSE-KMS\"\nkms_key_id = \"alias/logs\"\n"
    ));
    assert!(found[0].contains("is not a KMS key ARN"));
    let ok = parse(&format!(
        "{SCOPE}[log_bucket]\nencryption = \"SSE-KMS\"\nkms_key_id = \"{key}\"\n"
    ))
    .unwrap();
    assert_eq!(
        ok.log_bucket.encryption,
        Encryption::Kms {
            kms_key_id: key.into()
        }
    );
}

#[test]
fn bad_names_and_account_ids_are_refused() {
    let found = problems(
        "[scope]\nregions = \"all\"\nhome_region = \"us-east-1\"\naccount_id = \"12345\"\n\
         [log_bucket]\nname = \"Logs_Bucket\"\n[config]\nrole_name = \"bad role\"\n",
    );
    assert_eq!(found.len(), 3, "{found:#?}");
}

#[test]
fn regions_of_another_partition_are_refused() {
    let found = problems(
        "[scope]\nregions = [\"us-east-1\", \"cn-north-1\"]\nhome_region = \"us-east-1\"\n",
    );
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("`cn-north-1` is in another AWS partition"));
}

#[test]
fn the_trail_and_config_need_roles_of_their_own() {
    let found = problems(&format!(
        "{SCOPE}[config]\nrole_name = \"shared\"\n[cloudtrail]\nrole_name = \"shared\"\n"
    ));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("both name the role `shared`"));
}

#[test]
fn trail_names_follow_cloudtrail_rules() {
    for bad in ["ab", "-trail", "trail-", "my-_trail"] {
        let found = problems(&format!("{SCOPE}[cloudtrail]\nname = \"{bad}\"\n"));
        assert!(
            found[0].contains("is not a valid trail name"),
            "{bad}: {found:?}"
        );
    }
    assert!(parse(&format!("{SCOPE}[cloudtrail]\nname = \"org.trail_1\"\n")).is_ok());
}

#[test]
fn the_signin_notification_exists_only_in_the_commercial_partition() {
    let found = problems(
        "[scope]\nregions = [\"us-gov-west-1\"]\nhome_region = \"us-gov-west-1\"\n\
         [alerts]\nemails = [\"a@example.com\"]\n[signin_notification]\n",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("not available in the partition"));
}

#[test]
fn a_filter_pattern_may_span_lines() {
    let source = format!(
        "{SCOPE}[cloudtrail]\n[alerts]\nemails = [\"a@example.com\"]\n[alarms.filters]\n\
         mine = {{ pattern = \"{{ ($.eventName = DeleteTrail) ||\\n  ($.eventName = StopLogging) }}\" }}\n"
    );
    assert!(parse(&source).is_ok(), "{:?}", parse(&source).err());
}

#[test]
fn accounts_are_a_list_or_the_organization_with_a_role_to_assume() {
    let listed = parse(&format!(
        "{SCOPE}[accounts]\nids = [\"111111111111\", \"222222222222\"]\n\
         exclude = [\"222222222222\"]\nrole_name = \"SecurityAudit-Admin\"\nexternal_id = \"team-42\"\n"
    ))
    .unwrap()
    .accounts
    .unwrap();
    assert_eq!(
        listed.selection,
        AccountSelection::Listed(vec!["111111111111".into(), "222222222222".into()])
    );
    assert_eq!(listed.exclude, ["222222222222"]);
    assert_eq!(listed.role.name, "SecurityAudit-Admin");
    assert_eq!(listed.role.external_id.as_deref(), Some("team-42"));
    assert_eq!(listed.role.session_name, "watchpost");

    let organization = parse(&format!("{SCOPE}[accounts]\norganization = true\n"))
        .unwrap()
        .accounts
        .unwrap();
    assert_eq!(organization.selection, AccountSelection::Organization);
    assert_eq!(organization.role, AccountRole::default());
    assert_eq!(organization.role.name, "OrganizationAccountAccessRole");
}

#[test]
fn accounts_must_name_accounts_once_and_not_twice_over() {
    let found = problems(&format!(
        "{SCOPE}[accounts]\nids = [\"111111111111\", \"1234\", \"111111111111\"]\norganization = true\n"
    ));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("`ids` and `organization = true` both"));

    let found = problems(&format!(
        "{SCOPE}[accounts]\nids = [\"111111111111\", \"1234\", \"111111111111\"]\nrole_name = \"bad role\"\nexternal_id = \"x\"\n"
    ));
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(found[0].contains("`1234` is not an AWS account id"));
    assert!(found[1].contains("account `111111111111` is listed twice"));
    assert!(found[2].contains("`bad role` is not a valid IAM role name"));
    assert!(found[3].contains("`external_id` is not one STS accepts"));

    let found = problems(&format!("{SCOPE}[accounts]\nids = []\n"));
    assert!(found[0].contains("`ids` is empty"), "{found:#?}");
    let found = problems(&format!("{SCOPE}[accounts]\nrole_name = \"Audit\"\n"));
    assert!(
        found[0].contains("[accounts] names no accounts"),
        "{found:#?}"
    );

    let found = problems(
        "[scope]\nregions = \"all\"\nhome_region = \"us-east-1\"\naccount_id = \"111111111111\"\n\
         [accounts]\nids = [\"222222222222\"]\n",
    );
    assert!(
        found[0].contains("[accounts] and scope.account_id both"),
        "{found:#?}"
    );
}

/// The one problem of `source`: its message and hint, and the text its span covers.
pub(super) fn only_problem(source: &str) -> (String, &str) {
    let found = parse(source).expect_err("the baseline should be rejected");
    assert_eq!(found.len(), 1, "{found:#?}");
    let problem = &found[0];
    let hint = problem.hint.as_deref().unwrap_or_default();
    (
        format!("{} ({hint})", problem.message),
        &source[problem.span.clone()],
    )
}

/// `source` has one problem, `expected` (message and hint), and it covers `place`.
fn assert_refused(source: &str, expected: &str, place: &str) {
    assert_eq!(only_problem(source), (expected.to_owned(), place));
}

fn assert_accepted(source: &str) {
    if let Err(found) = parse(source) {
        panic!("{source}\nis refused: {found:#?}");
    }
}

/// What [alarms] needs besides itself.
const TRAIL_AND_ALERTS: &str = "[cloudtrail]\n[alerts]\nemails = [\"a@example.com\"]\n";

#[test]
fn s3_data_events_name_reads_or_writes_of_every_bucket_or_of_those_listed() {
    let trail = |events: &str| format!("{SCOPE}[cloudtrail]\ns3_data_events = {events}\n");
    for events in [
        r#"{ access = ["write"] }"#,
        r#"{ access = ["read"] }"#,
        r#"{ access = ["write", "read"], buckets = ["payroll", "secrets.example.com"] }"#,
    ] {
        assert_accepted(&trail(events));
    }
    assert_refused(
        &trail(r#"{ access = ["delete"] }"#),
        "`delete` is not an access CloudTrail logs (write [\"write\"] (CIS 4.8), [\"read\"] (CIS 4.9) or [\"read\", \"write\"])",
        "\"delete\"",
    );
    assert_refused(
        &trail(r#"{ access = [] }"#),
        "access names nothing to log (write [\"write\"] (CIS 4.8), [\"read\"] (CIS 4.9) or [\"read\", \"write\"]; or leave [cloudtrail.s3_data_events] out to log no data events)",
        "[]",
    );
    assert_refused(
        &trail(r#"{ access = ["write"], buckets = ["Payroll"] }"#),
        "`Payroll` is not a valid S3 bucket name (use 3 to 63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit; or leave `buckets` out to log the objects of every bucket)",
        "\"Payroll\"",
    );
    assert_refused(
        &trail(r#"{ access = ["write", "write"] }"#),
        "`write` is named twice (name each of read and write once)",
        "\"write\"",
    );
}

#[test]
fn bucket_names_that_s3_reserves_are_refused() {
    for name in [
        "192.168.5.4",
        "xn--logs",
        "sthree-logs",
        "amzn-s3-demo-logs",
        "logs-s3alias",
        "logs--ol-s3",
        "logs.mrap",
        "logs--x-s3",
        "logs--table-s3",
    ] {
        assert_refused(
            &format!("{SCOPE}[log_bucket]\nname = \"{name}\"\n"),
            &format!(
                "`{name}` is a form of S3 bucket name that AWS reserves (S3 refuses names written like an IP address, names that start with xn--, sthree-, amzn-s3-demo- and names that end with -s3alias, --ol-s3, .mrap, --x-s3, --table-s3)"
            ),
            &format!("\"{name}\""),
        );
    }
    for name in ["192.168.5.logs", "logs-xn--a", "s3alias-logs"] {
        assert_accepted(&format!("{SCOPE}[log_bucket]\nname = \"{name}\"\n"));
    }
}

#[test]
fn a_trail_name_may_not_be_written_like_an_ip_address() {
    assert_refused(
        &format!("{SCOPE}[cloudtrail]\nname = \"10.0.0.1\"\n"),
        "`10.0.0.1` is written like an IP address (CloudTrail refuses trail names in the form of an IP address: use letters in the name)",
        "\"10.0.0.1\"",
    );
}

#[test]
fn a_kms_key_arn_names_a_partition_region_account_and_key_id() {
    let key_id = "1234abcd-12ab-34cd-56ef-1234567890ab";
    for bad in [
        "arn:aws:kms:us-east-1:111122223333:alias/logs".to_owned(),
        format!("arn:aws:kms:us-east-1:1111:key/{key_id}"),
        format!("arn:aws:kms:mars-1:111122223333:key/{key_id}"),
        format!("arn:aws-cn:kms:us-east-1:111122223333:key/{key_id}"),
        format!("arn:awsx:kms:us-east-1:111122223333:key/{key_id}"),
        format!("arn:aws:s3:us-east-1:111122223333:key/{key_id}"),
        "arn:aws:kms:us-east-1:111122223333:key/not-a-key".to_owned(),
        "arn:aws:kms:us-east-1:111122223333:key/mrk-123".to_owned(),
    ] {
        assert_refused(
            &format!("{SCOPE}[log_bucket]\nencryption = \"SSE-KMS\"\nkms_key_id = \"{bad}\"\n"),
            &format!(
                "`{bad}` is not a KMS key ARN (give the key's ARN, arn:aws:kms:REGION:ACCOUNT:key/KEY-ID: IAM policies can only name a key by its ARN)"
            ),
            &format!("\"{bad}\""),
        );
    }
    for good in [
        format!("arn:aws:kms:eu-west-1:111122223333:key/{key_id}"),
        format!("arn:aws-cn:kms:cn-north-1:111122223333:key/{key_id}"),
        "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab".to_owned(),
    ] {
        // In the home region: S3 and CloudTrail use keys of their own region only.
        let region = good.split(':').nth(3).unwrap();
        assert_accepted(&format!(
            "[scope]\nregions = [\"{region}\"]\nhome_region = \"{region}\"\n[cloudtrail]\nkms_key_id = \"{good}\"\n"
        ));
    }
    let elsewhere = format!("arn:aws:kms:eu-west-1:111122223333:key/{key_id}");
    assert_refused(
        &format!("{SCOPE}[cloudtrail]\nkms_key_id = \"{elsewhere}\"\n"),
        "the key is in `eu-west-1`, not the home region `us-east-1` (S3 and CloudTrail use a key of their own region only, and the log bucket and the trail are in us-east-1: name a key of us-east-1, or remove kms_key_id and add [kms] for a key watchpost makes there)",
        &format!("\"{elsewhere}\""),
    );
}

#[test]
fn names_aws_keeps_for_its_services_are_refused() {
    assert_refused(
        &format!("{SCOPE}[cloudtrail]\nlog_group_name = \"aws/cloudtrail\"\n"),
        "`aws/cloudtrail` starts with `aws/` (AWS keeps log group names that start with aws/ for its own services: choose another name)",
        "\"aws/cloudtrail\"",
    );
    assert_refused(
        &format!("{SCOPE}{TRAIL_AND_ALERTS}[alarms]\nmetric_namespace = \"AWS/Security\"\n"),
        "`AWS/Security` starts with `AWS/` (AWS keeps metric namespace names that start with AWS/ for its own services: choose another name)",
        "\"AWS/Security\"",
    );
    assert_accepted(&format!(
        "{SCOPE}[cloudtrail]\nlog_group_name = \"/aws/cloudtrail/org\"\n"
    ));
}

#[test]
fn a_metric_namespace_has_no_colon() {
    assert_refused(
        &format!("{SCOPE}{TRAIL_AND_ALERTS}[alarms]\nmetric_namespace = \"Org:Security\"\n"),
        "`Org:Security` is not a valid metric namespace (use 1 to 255 letters, digits and . _ - / #)",
        "\"Org:Security\"",
    );
}

#[test]
fn key_prefixes_are_short_and_plain() {
    let long = "a".repeat(201);
    for (section, prefix) in [
        ("cloudtrail", long.as_str()),
        ("cloudtrail", "logs/*"),
        ("config", "logs//config"),
        ("config", "config logs"),
        ("config", "config?x"),
    ] {
        assert_refused(
            &format!("{SCOPE}[{section}]\ns3_key_prefix = \"{prefix}\"\n"),
            &format!(
                "`{prefix}` is not a usable key prefix (use at most 200 letters, digits and ! - _ . ' ( ) /, with no empty part between slashes)"
            ),
            &format!("\"{prefix}\""),
        );
    }
    assert_accepted(&format!(
        "{SCOPE}[cloudtrail]\ns3_key_prefix = \"{}\"\n[config]\ns3_key_prefix = \"org/security-logs_(v1)\"\n",
        "a".repeat(200)
    ));
}

#[test]
fn emails_are_plain_addresses_sns_can_send_to() {
    let domain = vec!["b".repeat(60); 4].join(".") + ".com";
    let long = format!("{}@{domain}", "a".repeat(64));
    for bad in [
        "Security <security@example.com>",
        "security@[192.0.2.1]",
        "first.last@localhost",
        long.as_str(),
    ] {
        assert_refused(
            &format!("{SCOPE}[alerts]\nemails = [\"{bad}\"]\n"),
            &format!(
                "`{bad}` is not an email address (write a plain address such as \"security@example.com\": at most 254 characters, no display name, no address in brackets)"
            ),
            &format!("\"{bad}\""),
        );
    }
    assert_accepted(&format!(
        "{SCOPE}[alerts]\nemails = [\"first.last+alerts@mail.example.co.uk\"]\n"
    ));
}

#[test]
fn an_alarm_description_fits_cloudwatch() {
    let description = "x".repeat(1025);
    assert_refused(
        &format!(
            "{SCOPE}{TRAIL_AND_ALERTS}[alarms.filters]\nroot-account-use = {{ description = \"{description}\" }}\n"
        ),
        "the description of `root-account-use` is 1025 characters long (CloudWatch takes at most 1024 characters for an alarm's description)",
        &format!("\"{description}\""),
    );
    assert_accepted(&format!(
        "{SCOPE}{TRAIL_AND_ALERTS}[alarms.filters]\nroot-account-use = {{ description = \"{}\" }}\n",
        "é".repeat(1024)
    ));
}

#[test]
fn an_alarm_evaluates_at_most_a_day_or_a_week() {
    let hint = "(CloudWatch evaluates at most 86400 seconds (one day) with a period under 3600, and 604800 (seven days) otherwise: lower period_seconds or evaluation_periods)";
    assert_refused(
        &format!(
            "{SCOPE}{TRAIL_AND_ALERTS}[alarms]\nperiod_seconds = 1800\nevaluation_periods = 100\n\
             [alarms.filters]\nroot-account-use = {{}}\n"
        ),
        &format!(
            "the alarm `root-account-use` would evaluate 100 periods of 1800 seconds, 180000 seconds in all {hint}"
        ),
        "root-account-use",
    );
    assert_refused(
        &format!(
            "{SCOPE}{TRAIL_AND_ALERTS}[alarms.filters]\n\
             root-account-use = {{ period_seconds = 86400, evaluation_periods = 8 }}\n"
        ),
        &format!(
            "the alarm `root-account-use` would evaluate 8 periods of 86400 seconds, 691200 seconds in all {hint}"
        ),
        "root-account-use",
    );
    assert_accepted(&format!(
        "{SCOPE}{TRAIL_AND_ALERTS}[alarms.filters]\n\
         root-account-use = {{ period_seconds = 3600, evaluation_periods = 100 }}\n\
         unauthorized-api-calls = {{ period_seconds = 600, evaluation_periods = 100 }}\n"
    ));
}

#[test]
fn rule_parameters_fit_what_aws_config_takes() {
    let principals = "p".repeat(1100);
    assert_refused(
        &format!(
            "{SCOPE}[config.rules]\ns3-bucket-policy-grantee-check = {{ awsPrincipals = \"{principals}\" }}\n"
        ),
        "the parameters of `s3-bucket-policy-grantee-check` are 1120 characters long as AWS Config receives them (AWS Config takes at most 1024 characters of parameters (as a JSON object) per rule: shorten the values)",
        "s3-bucket-policy-grantee-check",
    );
}

#[test]
fn role_names_differing_only_in_case_are_the_same_role() {
    assert_refused(
        &format!("{SCOPE}[config]\nrole_name = \"Shared\"\n[cloudtrail]\nrole_name = \"shared\"\n"),
        "[cloudtrail] and [config] both name the role `shared` (each service needs its own role, and IAM does not tell role names apart by case: give [cloudtrail] a different role_name)",
        "[cloudtrail]",
    );
}

#[test]
fn a_filter_pattern_is_measured_in_characters() {
    let pattern = |length: usize| {
        format!(
            "{SCOPE}{TRAIL_AND_ALERTS}[alarms.filters]\nmine = {{ pattern = '{{ $.userName = \"{}\" }}' }}\n",
            "é".repeat(length)
        )
    };
    assert_accepted(&pattern(1000));
    let too_long = pattern(1010);
    let (problem, place) = only_problem(&too_long);
    assert!(
        problem.starts_with("invalid filter pattern: it is 1029 characters long; AWS accepts 1024"),
        "{problem}"
    );
    assert!(place.starts_with("'{ $.userName"), "{place:?}");
}

#[test]
fn the_recommended_baseline_has_the_cis_monitoring_set() {
    let baseline = parse(include_str!("../../../baseline.toml")).unwrap();
    let filters = baseline.alarms.unwrap().filters;
    let known: Vec<&str> = catalog::METRIC_FILTERS.iter().map(|f| f.name).collect();
    let mut named: Vec<&str> = filters.keys().map(String::as_str).collect();
    let mut expected = known.clone();
    named.sort_unstable();
    expected.sort_unstable();
    assert_eq!(named, expected);
    assert_eq!(filters.len(), 15);
    for known in catalog::METRIC_FILTERS {
        assert_eq!(filters[known.name].pattern, known.pattern);
        assert_eq!(filters[known.name].description, known.alarm_description());
    }
}

#[test]
fn every_known_filter_passes_the_pattern_check_and_fits_an_alarm() {
    for known in catalog::METRIC_FILTERS {
        assert_eq!(
            check_filter_pattern(known.pattern),
            Ok(()),
            "{}",
            known.name
        );
        assert!(known.alarm_description().chars().count() <= ALARM_DESCRIPTION_MAX);
    }
}

#[test]
fn a_required_parameter_is_sent_with_awss_default_or_asked_for() {
    let baseline = parse(&format!(
        "{SCOPE}[config.rules]\naccess-keys-rotated = {{}}\n\
         iam-user-unused-credentials-check = {{ maxCredentialUsageAge = 45 }}\n"
    ))
    .unwrap();
    let rules = baseline.config.unwrap().rules;
    assert_eq!(
        rules["access-keys-rotated"].input_parameters["maxAccessKeyAge"],
        "90"
    );
    assert_eq!(
        rules["iam-user-unused-credentials-check"].input_parameters["maxCredentialUsageAge"],
        "45"
    );
    assert_eq!(
        problems(&format!(
            "{SCOPE}[config.rules]\niam-customer-policy-blocked-kms-actions = {{}}\n"
        )),
        [
            "`iam-customer-policy-blocked-kms-actions` needs the parameter `blockedActionsPatterns` (add blockedActionsPatterns = [\"a\", \"b\"])"
        ]
    );
}

#[test]
fn a_misspelt_rule_of_the_larger_catalog_still_gets_its_suggestion() {
    let found = problems(&format!(
        "{SCOPE}[config.rules]\nroot-acount-mfa-enabled = {{}}\nmulti-region-cloud-trail-enabled = {{}}\n"
    ));
    assert!(
        found[0].contains("did you mean \"root-account-mfa-enabled\"?"),
        "{found:#?}"
    );
    assert!(
        found[1].contains("did you mean \"multi-region-cloudtrail-enabled\"?"),
        "{found:#?}"
    );
}

#[test]
fn addresses_of_domains_kept_for_examples_are_warned_about() {
    for placeholder in [
        "security@example.com",
        "a@EXAMPLE.ORG",
        "a@mail.example.net",
        "a@corp.test",
        "a@x.invalid",
    ] {
        assert!(is_placeholder_address(placeholder), "{placeholder}");
    }
    for real in ["a@example.co", "a@myexample.com", "a@example.com.au"] {
        assert!(!is_placeholder_address(real), "{real}");
    }
    let source = format!("{SCOPE}[alerts]\nemails = [\"a@corp.io\", \"b@example.com\"]\n");
    let found = warnings(&source);
    assert_eq!(found.len(), 1);
    assert_eq!(&source[found[0].span.clone()], "\"b@example.com\"");
}

/// `--only SECTION` selects the kinds of a section: each kind's section must be one the
/// loader reads, or no selector could ever reach it.
#[test]
fn every_kinds_section_is_a_section_of_the_baseline() {
    for kind in crate::model::Kind::all() {
        if let Some(section) = kind.section() {
            assert!(
                super::SECTIONS.iter().any(|read| read.name == section),
                "{kind} names the section [{section}], which the baseline does not have"
            );
        }
    }
}

/// A fleet whose alerts gather on `central_bus`.
fn central_bus(arn: &str) -> String {
    format!(
        "{SCOPE}[accounts]\nids = [\"111111111111\"]\n[alerts]\nemails = [\"a@example.com\"]\ncentral_bus = \"{arn}\"\n"
    )
}

#[test]
fn a_central_bus_is_an_event_bus_arn_in_the_home_region() {
    let parsed = parse(&central_bus(
        "arn:aws:events:us-east-1:999988887777:event-bus/watchpost-alerts",
    ))
    .unwrap();
    assert_eq!(
        parsed.alerts.unwrap().central_bus,
        Some(super::super::CentralBus {
            arn: "arn:aws:events:us-east-1:999988887777:event-bus/watchpost-alerts".to_owned(),
            account: "999988887777".to_owned(),
            name: "watchpost-alerts".to_owned(),
        })
    );
    let place = |arn: &str| format!("\"{arn}\"");
    for (arn, expected) in [
        (
            "watchpost-alerts",
            "`watchpost-alerts` is not an ARN (write the event bus's ARN: arn:aws:events:REGION:ACCOUNT:event-bus/NAME)",
        ),
        (
            "arn:aws:sns:us-east-1:999988887777:event-bus/alerts",
            "`arn:aws:sns:us-east-1:999988887777:event-bus/alerts` is not the ARN of an EventBridge event bus (the central bus is an EventBridge event bus: arn:aws:events:REGION:ACCOUNT:event-bus/NAME)",
        ),
        (
            "arn:aws:events:us-east-1:999988887777:rule/alerts",
            "`arn:aws:events:us-east-1:999988887777:rule/alerts` names an EventBridge `rule/alerts`, not an event bus (the resource part is event-bus/NAME: arn:aws:events:REGION:ACCOUNT:event-bus/NAME)",
        ),
        (
            "arn:aws:events:us-east-1:9999:event-bus/alerts",
            "`9999` in central_bus is not an AWS account id (the account part is the security account's 12 digits: arn:aws:events:REGION:ACCOUNT:event-bus/NAME)",
        ),
        (
            "arn:aws:events:eu-west-1:999988887777:event-bus/alerts",
            "central_bus is in `eu-west-1`, not in the home region `us-east-1` (the bus raises the emails through the alert topic, which is in the home region, and EventBridge sends to a topic of the rule's own region only: put the bus in us-east-1 (arn:aws:events:us-east-1:999988887777:event-bus/alerts), or make eu-west-1 scope.home_region)",
        ),
        (
            "arn:aws:events:ap-south-1:999988887777:event-bus/alerts",
            "central_bus is in `ap-south-1`, not in the home region `us-east-1` (the bus raises the emails through the alert topic, which is in the home region, and EventBridge sends to a topic of the rule's own region only: put the bus in us-east-1 (arn:aws:events:us-east-1:999988887777:event-bus/alerts), or make ap-south-1 scope.home_region)",
        ),
        (
            "arn:aws-cn:events:us-east-1:999988887777:event-bus/alerts",
            "central_bus is in the partition `aws-cn`, but `us-east-1` is in `aws` (write arn:aws:events:us-east-1:...)",
        ),
        (
            "arn:aws:events:us-east-1:999988887777:event-bus/default",
            "the default event bus cannot be the central bus (every covered account's alert rules sit on its default bus and forward to the central bus, the security account's too, and a rule cannot forward to the bus it sits on: name a bus of its own, e.g. event-bus/watchpost-alerts, which watchpost creates)",
        ),
    ] {
        assert_refused(&central_bus(arn), expected, &place(arn));
    }
}

#[test]
fn a_central_bus_needs_the_fleet_it_admits() {
    let arn = "arn:aws:events:us-east-1:999988887777:event-bus/watchpost-alerts";
    assert_refused(
        &format!("{SCOPE}[alerts]\nemails = [\"a@example.com\"]\ncentral_bus = \"{arn}\"\n"),
        "`central_bus` needs [accounts] (the bus gathers the alerts of a fleet and admits the accounts [accounts] names: add [accounts] with ids = [\"111111111111\", ...] or organization = true, or remove central_bus to raise the alerts in the account itself)",
        &format!("\"{arn}\""),
    );
}
