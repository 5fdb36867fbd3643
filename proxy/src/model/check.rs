//! A value tree checked against its shape, by the constraints botocore's models carry:
//! `required` members, `min`/`max` (a string's length, a number's value, a list's or map's
//! size), `enum` and `pattern` on strings, all the way down structures, lists and maps.
//!
//! Not checked: blobs and timestamps (their wire forms differ from what the bounds count),
//! members the model does not know (AWS ignores or refuses them per service), and patterns the
//! `regex` crate cannot compile (Java regexes with lookaround and the like), which are skipped.

use serde_json::Value as Json;

use super::service::ServiceModel;
use super::value::Value;

/// Appends to `problems` each way `value` breaks `shape`, as `<member path>: <what is wrong>`.
pub(crate) fn check(
    model: &ServiceModel,
    shape: &Json,
    value: &Value,
    path: &str,
    problems: &mut Vec<String>,
) {
    let kind = shape["type"].as_str().unwrap_or_default();
    let at = |path: &str| if path.is_empty() { "input" } else { path }.to_owned();
    match (kind, value) {
        (_, Value::Mismatch(got)) => {
            problems.push(format!("{}: expected a {kind}, got {got}", at(path)))
        }
        ("structure", Value::Structure(members)) => {
            for required in shape["required"].as_array().into_iter().flatten() {
                let required = required.as_str().unwrap_or_default();
                if !members.contains_key(required) {
                    problems.push(format!("{}: is required but missing", join(path, required)));
                }
            }
            for (name, value) in members {
                let member = &shape["members"][name];
                check(
                    model,
                    model.target(member),
                    value,
                    &join(path, name),
                    problems,
                );
            }
        }
        ("list", Value::List(items)) => {
            check_size(shape, items.len(), "items", &at(path), problems);
            for (index, item) in items.iter().enumerate() {
                let item_path = format!("{}[{index}]", at(path));
                check(
                    model,
                    model.target(&shape["member"]),
                    item,
                    &item_path,
                    problems,
                );
            }
        }
        ("map", Value::Map(entries)) => {
            check_size(shape, entries.len(), "entries", &at(path), problems);
            for (key, value) in entries {
                let key_path = format!("{}[{key:?}]", at(path));
                let key_value = Value::Scalar(key.clone());
                check(
                    model,
                    model.target(&shape["key"]),
                    &key_value,
                    &format!("{key_path} (key)"),
                    problems,
                );
                check(
                    model,
                    model.target(&shape["value"]),
                    value,
                    &key_path,
                    problems,
                );
            }
        }
        ("string", Value::Scalar(text)) => check_string(model, shape, text, &at(path), problems),
        ("integer" | "long" | "float" | "double", Value::Scalar(text)) => {
            check_number(shape, text, &at(path), problems);
        }
        ("boolean", Value::Scalar(text)) if text != "true" && text != "false" => {
            problems.push(format!("{}: {text:?} is not a boolean", at(path)));
        }
        ("structure" | "list" | "map", _) => {
            problems.push(format!("{}: expected a {kind}", at(path)));
        }
        _ => {}
    }
}

fn join(path: &str, member: &str) -> String {
    if path.is_empty() {
        member.to_owned()
    } else {
        format!("{path}.{member}")
    }
}

fn check_size(shape: &Json, size: usize, what: &str, path: &str, problems: &mut Vec<String>) {
    let size = size as f64;
    if let Some(min) = shape["min"].as_f64().filter(|min| size < *min) {
        problems.push(format!(
            "{path}: has {size} {what}, fewer than the minimum {min}"
        ));
    }
    if let Some(max) = shape["max"].as_f64().filter(|max| size > *max) {
        problems.push(format!(
            "{path}: has {size} {what}, more than the maximum {max}"
        ));
    }
}

/// `text` quoted for a message, cut to its first 60 characters.
fn quoted(text: &str) -> String {
    if text.chars().count() <= 60 {
        format!("{text:?}")
    } else {
        let start: String = text.chars().take(60).collect();
        format!("{start:?}...")
    }
}

fn check_string(
    model: &ServiceModel,
    shape: &Json,
    text: &str,
    path: &str,
    problems: &mut Vec<String>,
) {
    let length = text.chars().count() as f64;
    if let Some(min) = shape["min"].as_f64().filter(|min| length < *min) {
        problems.push(format!(
            "{path}: {} is {length} characters long, shorter than the minimum {min}",
            quoted(text)
        ));
    }
    if let Some(max) = shape["max"].as_f64().filter(|max| length > *max) {
        problems.push(format!(
            "{path}: {} is {length} characters long, longer than the maximum {max}",
            quoted(text)
        ));
    }
    if let Some(values) = shape["enum"].as_array()
        && !values.iter().any(|value| value == text)
    {
        let allowed: Vec<&str> = values.iter().filter_map(Json::as_str).collect();
        problems.push(format!(
            "{path}: {} is not one of {}",
            quoted(text),
            allowed.join(", ")
        ));
    }
    if let Some(pattern) = shape["pattern"].as_str()
        && let Some(regex) = model.pattern(pattern)
        && !regex.is_match(text)
    {
        problems.push(format!(
            "{path}: {} does not match the pattern {pattern}",
            quoted(text)
        ));
    }
}

fn check_number(shape: &Json, text: &str, path: &str, problems: &mut Vec<String>) {
    let Ok(number) = text.parse::<f64>() else {
        problems.push(format!("{path}: {} is not a number", quoted(text)));
        return;
    };
    if let Some(min) = shape["min"].as_f64().filter(|min| number < *min) {
        problems.push(format!("{path}: {text} is less than the minimum {min}"));
    }
    if let Some(max) = shape["max"].as_f64().filter(|max| number > *max) {
        problems.push(format!("{path}: {text} is more than the maximum {max}"));
    }
}
