//! Every policy document watchpost writes is valid IAM policy grammar, as the IAM policy linter
//! parliament (PyPI, pinned in scripts/lib.sh) judges it: known actions and condition keys,
//! well-formed ARNs, elements and values. moto stores any JSON it is given, so a misspelt action
//! or an ARN of the wrong form passes every other test and is refused (or, worse, silently
//! matches nothing) only in AWS.
//!
//! The documents are read back from moto after an `apply` of a baseline with every kind:
//! the bucket policy, each SNS topic policy, each KMS key policy, each IAM role's trust policy
//! and inline policies, each customer managed IAM policy, and each event bus policy, in every
//! region of the baseline. Each is fed to tests/policy_lint.py, run by the Python of the venv
//! that holds moto (next to `$WATCHPOST_MOTO_SERVER`).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde::Deserialize;
use support::{Moto, Watchpost, decode_policy, every_kind_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const HOME: &str = "us-east-1";
const OTHER: &str = "eu-west-1";

/// One finding of parliament on one document.
#[derive(Debug, Deserialize)]
struct Finding {
    name: String,
    issue: String,
    severity: String,
    detail: String,
    at: String,
}

/// The findings that are parliament's opinion or a gap in its data, not an error AWS would
/// refuse or misread, each with why: (issue, the start of the document's name, a text of the
/// finding's detail, the reason). Any other finding fails the test.
const ALLOWED: &[(&str, &str, &str, &str)] = &[
    (
        "MALFORMED",
        "the trust policy of role ",
        "Statement contains neither Resource nor NotResource",
        "parliament reads every document as an identity policy, which needs a Resource; a role \
         trust policy is a resource-based policy (IAM User Guide, \"AWS JSON policy elements: \
         Principal\": \"The IAM resource-based policy type is a role trust policy\"), whose \
         resource is the role itself, and IAM refuses one with a Resource element \
         (MalformedPolicyDocument \"Has prohibited field Resource\")",
    ),
    (
        "RESOURCE_STAR",
        "the key policy of key ",
        "kms:",
        "a key policy applies to the one key it is attached to, and AWS writes its Resource as \
         \"*\" (KMS Developer Guide, \"Creating a key policy\": the valid key policy it shows has \
         \"Resource\": \"*\"); parliament, reading it as an identity policy, calls \"*\" \
         unnecessary",
    ),
];

fn allowed(finding: &Finding) -> bool {
    ALLOWED.iter().any(|(issue, document, detail, _)| {
        finding.issue == *issue
            && finding.name.starts_with(document)
            && finding.detail.contains(detail)
    })
}

/// The Python of the venv that holds moto_server (and parliament): scripts/lib.sh installs both.
fn venv_python() -> PathBuf {
    let server = std::env::var_os("WATCHPOST_MOTO_SERVER")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .expect(
            "WATCHPOST_MOTO_SERVER is not set: run the tests with scripts/test, which builds the \
             venv holding moto[server] and parliament and sets it",
        );
    server
        .parent()
        .expect("WATCHPOST_MOTO_SERVER has a directory")
        .join("python")
}

/// Runs parliament over `documents` (name, policy JSON) and returns every finding.
fn lint(documents: &[(String, String)]) -> Vec<Finding> {
    let input: Vec<serde_json::Value> = documents
        .iter()
        .map(|(name, document)| serde_json::json!({"name": name, "document": document}))
        .collect();
    let python = venv_python();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/policy_lint.py");
    let mut child = Command::new(&python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&input).unwrap().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{} {script} failed ({}): {}\nIs parliament installed in the venv? scripts/test installs \
         it (scripts/lib.sh, PARLIAMENT_VERSION).",
        python.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "parliament's findings are not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn describe(findings: &[&Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "- {}: {} ({}) at `{}`: {}",
                f.name, f.issue, f.severity, f.at, f.detail
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The linter is able to fail: a misspelt action and an Effect that is neither Allow nor Deny
/// are findings that no entry of [`ALLOWED`] lets through.
#[test]
fn a_broken_document_is_flagged() {
    let bad_action = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObjekt","Resource":"arn:aws:s3:::watchpost-logs/*"}]}"#;
    let bad_effect = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Alow","Action":"s3:PutObject","Resource":"arn:aws:s3:::watchpost-logs/*"}]}"#;
    let good = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::watchpost-logs/*"}]}"#;
    let findings = lint(&[
        ("bad action".to_owned(), bad_action.to_owned()),
        ("bad effect".to_owned(), bad_effect.to_owned()),
        ("good".to_owned(), good.to_owned()),
    ]);
    let refused = |name: &str, issue: &str| {
        findings
            .iter()
            .any(|f| f.name == name && f.issue == issue && !allowed(f))
    };
    assert!(refused("bad action", "UNKNOWN_ACTION"), "{findings:#?}");
    assert!(refused("bad effect", "MALFORMED"), "{findings:#?}");
    assert!(findings.iter().all(|f| f.name != "good"), "{findings:#?}");
}

/// Every policy document in the account and the regions, named by where it is.
async fn every_policy_document(moto: &Moto, regions: &[&str]) -> Vec<(String, String)> {
    let mut documents = Vec::new();

    let s3 = moto.s3(HOME).await;
    for bucket in s3.list_buckets().send().await.unwrap().buckets() {
        let name = bucket.name().unwrap();
        if let Ok(policy) = s3.get_bucket_policy().bucket(name).send().await {
            documents.push((
                format!("the policy of bucket {name}"),
                policy.policy().unwrap().to_owned(),
            ));
        }
    }

    for role in moto.roles().await {
        let name = &role.name;
        documents.push((
            format!("the trust policy of role {name}"),
            role.trust_policy,
        ));
        for (policy_name, document) in role.inline {
            documents.push((
                format!("the inline policy {policy_name} of role {name}"),
                document,
            ));
        }
    }
    let iam = moto.iam().await;
    let local = iam
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .send()
        .await
        .unwrap();
    for policy in local.policies() {
        let version = iam
            .get_policy_version()
            .policy_arn(policy.arn().unwrap())
            .version_id(policy.default_version_id().unwrap())
            .send()
            .await
            .unwrap();
        documents.push((
            format!("the managed policy {}", policy.arn().unwrap()),
            decode_policy(version.policy_version().unwrap().document().unwrap()),
        ));
    }

    for region in regions {
        let config = moto.sdk_config(region).await;
        for (arn, policy) in moto.topic_policies(region).await {
            if let Some(policy) = policy {
                documents.push((format!("the policy of topic {arn}"), policy));
            }
        }

        let kms = aws_sdk_kms::Client::new(&config);
        for key in kms.list_keys().send().await.unwrap().keys() {
            let id = key.key_id().unwrap();
            let policy = kms
                .get_key_policy()
                .key_id(id)
                .policy_name("default")
                .send()
                .await
                .unwrap();
            documents.push((
                format!("the key policy of key {id} in {region}"),
                policy.policy().unwrap().to_owned(),
            ));
        }

        let events = aws_sdk_eventbridge::Client::new(&config);
        for bus in events
            .list_event_buses()
            .send()
            .await
            .unwrap()
            .event_buses()
        {
            if let Some(policy) = bus.policy() {
                documents.push((
                    format!("the policy of event bus {}", bus.arn().unwrap()),
                    policy.to_owned(),
                ));
            }
        }
    }
    documents
}

#[tokio::test]
async fn every_policy_watchpost_writes_is_valid_iam_grammar() {
    let (moto, _baseline) = Moto::start_applied(WATCHPOST, &every_kind_baseline(HOME, OTHER));

    let documents = every_policy_document(&moto, &[HOME, OTHER]).await;
    // Each kind was read: the test looks at every policy it promises to.
    let count = |prefix: &str| {
        documents
            .iter()
            .filter(|(name, _)| name.starts_with(prefix))
            .count()
    };
    assert_eq!(count("the policy of bucket"), 1, "{documents:#?}");
    assert_eq!(count("the key policy"), 1, "{documents:#?}");
    assert!(count("the policy of topic") >= 1, "{documents:#?}");
    assert!(count("the trust policy of role") >= 2, "{documents:#?}");
    assert!(count("the inline policy") >= 2, "{documents:#?}");

    let findings = lint(&documents);
    let refused: Vec<&Finding> = findings.iter().filter(|f| !allowed(f)).collect();
    assert!(
        refused.is_empty(),
        "parliament finds errors in {} of the {} policy documents watchpost wrote:\n{}",
        refused.len(),
        documents.len(),
        describe(&refused)
    );
}
