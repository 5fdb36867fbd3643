//! IAM policy documents compared as values, so that AWS's reformatting (key order, a single
//! action written as a string or a one-element list, statement order) is never drift.

use serde_json::Value;

/// The canonical form of a policy document: one-element lists become their element, lists are
/// sorted, object keys are sorted (serde_json's map is ordered).
pub fn canonical(document: &Value) -> Value {
    match document {
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(canonical).collect();
            if items.len() == 1 {
                return items.pop().expect("one item");
            }
            items.sort_by_key(|item| item.to_string());
            Value::Array(items)
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), canonical(value)))
                .collect(),
        ),
        scalar => scalar.clone(),
    }
}

/// Statements of a live policy that are not among `ours` (by Sid): kept when watchpost writes
/// the policy, so that converging it never takes away access someone else granted.
pub fn foreign_statements(live: &Value, ours: &[Value]) -> Vec<Value> {
    let our_sids: Vec<&Value> = ours.iter().map(|statement| &statement["Sid"]).collect();
    statements(live)
        .into_iter()
        .filter(|statement| !our_sids.contains(&&statement["Sid"]))
        .collect()
}

/// The statements of a policy, whether it writes one as a list or, canonical, alone.
pub fn statements(document: &Value) -> Vec<Value> {
    match &document["Statement"] {
        Value::Array(statements) => statements.clone(),
        Value::Null => Vec::new(),
        single => vec![single.clone()],
    }
}

/// Parses a policy as AWS returns it: plain JSON (S3) or URL-encoded JSON (IAM).
pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
    match serde_json::from_str(text) {
        Ok(value) => Ok(canonical(&value)),
        Err(plain_error) => {
            let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
            serde_json::from_str(&decoded)
                .map(|value| canonical(&value))
                .map_err(|_| plain_error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reformatting_by_aws_is_not_a_difference() {
        let written = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "B", "Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "*"},
            {"Sid": "A", "Effect": "Deny", "Action": ["s3:*", "s3:Get*"], "Resource": "*"}]});
        let returned = json!({"Statement": [
            {"Resource": "*", "Action": ["s3:Get*", "s3:*"], "Effect": "Deny", "Sid": "A"},
            {"Action": "s3:PutObject", "Effect": "Allow", "Resource": "*", "Sid": "B"}],
            "Version": "2012-10-17"});
        assert_eq!(canonical(&written), canonical(&returned));
    }

    #[test]
    fn a_changed_action_is_a_difference() {
        let ours = json!({"Statement": [{"Action": "s3:PutObject"}]});
        let theirs = json!({"Statement": [{"Action": "s3:*"}]});
        assert_ne!(canonical(&ours), canonical(&theirs));
    }

    #[test]
    fn url_encoded_documents_from_iam_parse() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%7D";
        assert_eq!(parse(encoded).unwrap(), json!({"Version": "2012-10-17"}));
    }
}
