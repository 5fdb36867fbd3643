//! awsJson 1.0/1.1 (`X-Amz-Target: <targetPrefix>.<Operation>`, the input as a JSON body), and
//! the JSON bodies of rest-json.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::{input_shape, wire_name};
use crate::model::service::ServiceModel;
use crate::model::value::Value;

pub(super) fn decode(
    model: &ServiceModel,
    target: &str,
    body: &[u8],
) -> Option<(String, Option<Value>)> {
    let (prefix, operation) = target.rsplit_once('.')?;
    // botocore may name the target by the service's whole Smithy id
    // (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`), the SDKs by its last part.
    let named = model.target_prefix.as_deref().is_some_and(|known| {
        known == prefix
            || known
                .strip_suffix(prefix)
                .is_some_and(|namespace| namespace.ends_with('.'))
    });
    if !named {
        return None;
    }
    let input = input_shape(model.operations.get(operation)?)
        .map(|shape| from_body(model, model.shape(shape), body));
    Some((operation.to_owned(), input))
}

/// A JSON body read as `shape`; an empty body is an empty object, as the SDKs send it.
pub(super) fn from_body(model: &ServiceModel, shape: &Json, body: &[u8]) -> Value {
    if body.iter().all(u8::is_ascii_whitespace) {
        return from_json(model, shape, &Json::Object(Default::default()));
    }
    match serde_json::from_slice(body) {
        Ok(json) => from_json(model, shape, &json),
        Err(_) => Value::Mismatch("a body that is not JSON"),
    }
}

pub(super) fn from_json(model: &ServiceModel, shape: &Json, json: &Json) -> Value {
    match (shape["type"].as_str().unwrap_or_default(), json) {
        ("structure", Json::Object(object)) => {
            let members = shape["members"].as_object();
            let structure: BTreeMap<String, Value> = members
                .into_iter()
                .flatten()
                .filter_map(|(name, member)| {
                    let json = object.get(wire_name(name, member))?;
                    Some((name.clone(), from_json(model, model.target(member), json)))
                })
                .collect();
            Value::Structure(structure)
        }
        ("list", Json::Array(items)) => Value::List(
            items
                .iter()
                .map(|item| from_json(model, model.target(&shape["member"]), item))
                .collect(),
        ),
        ("map", Json::Object(object)) => Value::Map(
            object
                .iter()
                .map(|(key, value)| {
                    (
                        key.clone(),
                        from_json(model, model.target(&shape["value"]), value),
                    )
                })
                .collect(),
        ),
        ("structure" | "list" | "map", _) | (_, Json::Object(_) | Json::Array(_)) => {
            Value::Mismatch(kind(json))
        }
        (_, Json::String(text)) => Value::Scalar(text.clone()),
        (_, scalar) => Value::Scalar(scalar.to_string()),
    }
}

fn kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}
