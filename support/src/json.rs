//! What watchpost prints as JSON, read back.

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
