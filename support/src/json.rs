//! What watchpost prints as JSON, read back; and the policy documents it writes, dug into.

use serde_json::Value;

/// Each line of `stdout` as JSON (`apply --json` prints one event a line); panics, naming the
/// line, at one that is not.
#[track_caller]
pub fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"))
        })
        .collect()
}

/// `stdout` as one JSON document (`plan --json`); panics, showing it, when it is not.
#[track_caller]
pub fn json_document(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not a JSON document ({e}):\n{stdout}"))
}

/// The statements of a policy document (IAM, bucket, key, topic, event bus) as a list: the policy
/// grammar lets a lone statement stand as an object instead.
pub fn statements(policy: &Value) -> Vec<&Value> {
    match &policy["Statement"] {
        Value::Array(all) => all.iter().collect(),
        one => vec![one],
    }
}

/// The first statement of `policy` that `matches`; panics, saying what was looked for
/// (`what`) and showing the policy, when none does.
#[track_caller]
pub fn find_statement<'a>(
    policy: &'a Value,
    what: &str,
    matches: impl Fn(&Value) -> bool,
) -> &'a Value {
    statements(policy)
        .into_iter()
        .find(|s| matches(s))
        .unwrap_or_else(|| panic!("no statement: {what}, in {policy:#}"))
}

/// The statement of `policy` whose `Sid` is `sid` ([`find_statement`]).
#[track_caller]
pub fn statement<'a>(policy: &'a Value, sid: &str) -> &'a Value {
    find_statement(policy, &format!("Sid {sid}"), |s| s["Sid"] == sid)
}
