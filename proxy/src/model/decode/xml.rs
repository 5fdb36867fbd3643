//! The XML bodies of rest-xml (S3): elements named by each member's `locationName`, lists
//! wrapped in an element of their own unless `flattened`, maps as `<entry><key/><value/>`.

use std::collections::BTreeMap;

use roxmltree::{Document, Node};
use serde_json::Value as Json;

use super::wire_name;
use crate::model::service::ServiceModel;
use crate::model::value::Value;

/// An XML body read as `shape`, the children of its root element being its members.
pub(super) fn from_body(model: &ServiceModel, shape: &Json, body: &[u8]) -> Value {
    let Ok(text) = std::str::from_utf8(body) else {
        return Value::Mismatch("a body that is not UTF-8");
    };
    match Document::parse(text) {
        Ok(document) => from_element(model, shape, document.root_element()),
        Err(_) => Value::Mismatch("a body that is not XML"),
    }
}

fn children<'a, 'input>(
    node: Node<'a, 'input>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.children()
        .filter(move |child| child.is_element() && child.tag_name().name() == name)
}

fn from_element(model: &ServiceModel, shape: &Json, node: Node) -> Value {
    match shape["type"].as_str().unwrap_or_default() {
        "structure" => {
            let members = shape["members"].as_object();
            let structure: BTreeMap<String, Value> = members
                .into_iter()
                .flatten()
                .filter_map(|(name, member)| {
                    let value = member_value(model, node, wire_name(name, member), member)?;
                    Some((name.clone(), value))
                })
                .collect();
            Value::Structure(structure)
        }
        "list" => {
            let item = &shape["member"];
            let item_name = item["locationName"].as_str().unwrap_or("member");
            Value::List(
                children(node, item_name)
                    .map(|child| from_element(model, model.target(item), child))
                    .collect(),
            )
        }
        "map" => Value::Map(
            children(node, "entry")
                .map(|entry| map_entry(model, shape, entry))
                .collect(),
        ),
        _ => Value::Scalar(node.text().unwrap_or_default().to_owned()),
    }
}

fn member_value(model: &ServiceModel, node: Node, name: &str, member: &Json) -> Option<Value> {
    if member["xmlAttribute"].as_bool().unwrap_or(false) {
        let local = name.rsplit(':').next().unwrap_or(name);
        let attribute = node
            .attributes()
            .find(|attribute| attribute.name() == local)?;
        return Some(Value::Scalar(attribute.value().to_owned()));
    }
    let shape = model.target(member);
    let flattened = shape["flattened"].as_bool().unwrap_or(false)
        || member["flattened"].as_bool().unwrap_or(false);
    match (shape["type"].as_str(), flattened) {
        (Some("list"), true) => {
            let items: Vec<Value> = children(node, name)
                .map(|child| from_element(model, model.target(&shape["member"]), child))
                .collect();
            (!items.is_empty()).then_some(Value::List(items))
        }
        (Some("map"), true) => {
            let entries: Vec<(String, Value)> = children(node, name)
                .map(|entry| map_entry(model, shape, entry))
                .collect();
            (!entries.is_empty()).then_some(Value::Map(entries))
        }
        _ => children(node, name)
            .next()
            .map(|child| from_element(model, shape, child)),
    }
}

fn map_entry(model: &ServiceModel, shape: &Json, entry: Node) -> (String, Value) {
    let key_name = shape["key"]["locationName"].as_str().unwrap_or("key");
    let value_name = shape["value"]["locationName"].as_str().unwrap_or("value");
    let key = children(entry, key_name)
        .next()
        .and_then(|key| key.text())
        .unwrap_or_default()
        .to_owned();
    let value = children(entry, value_name)
        .next()
        .map(|value| from_element(model, model.target(&shape["value"]), value))
        .unwrap_or(Value::Mismatch("an entry without a value"));
    (key, value)
}
