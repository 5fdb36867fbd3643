//! awsQuery and EC2's dialect of it: `Action=<Operation>` and the input flattened into form
//! keys (`Tags.member.1.Key`), in the body or, for a GET, the query string.
//!
//! awsQuery names a member by its `locationName` (else its name), a list item
//! `<list>.member.<n>` (`<list>.<n>` when flattened) and a map entry
//! `<map>.entry.<n>.key`/`.value`. EC2 names a member by its `queryName`, else its
//! `locationName` capitalised, else its name, and every list item `<list>.<n>`.

use std::collections::BTreeMap;

use hyper::Request;
use hyper::body::Bytes;
use serde_json::Value as Json;

use super::input_shape;
use crate::model::service::ServiceModel;
use crate::model::value::Value;

type Params = BTreeMap<String, String>;

pub(super) fn decode(
    model: &ServiceModel,
    request: &Request<Bytes>,
) -> Option<(String, Option<Value>)> {
    let query = request.uri().query().unwrap_or_default().as_bytes();
    let params: Params = form_urlencoded::parse(query)
        .chain(form_urlencoded::parse(request.body()))
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    let operation = params.get("Action")?.clone();
    let input = input_shape(model.operations.get(&operation)?).map(|shape| {
        let reader = Reader {
            model,
            params: &params,
            ec2: model.protocol == "ec2",
        };
        reader
            .structure(model.shape(shape), "")
            .unwrap_or_else(|| Value::Structure(BTreeMap::new()))
    });
    Some((operation, input))
}

struct Reader<'a> {
    model: &'a ServiceModel,
    params: &'a Params,
    ec2: bool,
}

impl Reader<'_> {
    /// Whether any key is `prefix` or lies under it.
    fn has(&self, prefix: &str) -> bool {
        self.params
            .range(prefix.to_owned()..)
            .next()
            .is_some_and(|(key, _)| {
                key == prefix
                    || key
                        .strip_prefix(prefix)
                        .is_some_and(|rest| rest.starts_with('.'))
            })
    }

    fn value(&self, shape: &Json, member: &Json, key: &str) -> Option<Value> {
        match shape["type"].as_str().unwrap_or_default() {
            "structure" => self.structure(shape, key),
            "list" => self.list(shape, member, key),
            "map" => self.map(shape, member, key),
            _ => self.params.get(key).cloned().map(Value::Scalar),
        }
    }

    fn structure(&self, shape: &Json, prefix: &str) -> Option<Value> {
        let members = shape["members"].as_object();
        let structure: BTreeMap<String, Value> = members
            .into_iter()
            .flatten()
            .filter_map(|(name, member)| {
                let key = join(prefix, &self.member_key(name, member));
                let value = self.value(self.model.target(member), member, &key)?;
                Some((name.clone(), value))
            })
            .collect();
        (prefix.is_empty() || !structure.is_empty()).then_some(Value::Structure(structure))
    }

    fn member_key(&self, name: &str, member: &Json) -> String {
        let location = member["locationName"].as_str();
        if !self.ec2 {
            return location.unwrap_or(name).to_owned();
        }
        if let Some(query_name) = member["queryName"].as_str() {
            return query_name.to_owned();
        }
        match location {
            Some(location) => {
                let mut characters = location.chars();
                characters
                    .next()
                    .map(|first| first.to_uppercase().chain(characters).collect())
                    .unwrap_or_default()
            }
            None => name.to_owned(),
        }
    }

    fn list(&self, shape: &Json, member: &Json, prefix: &str) -> Option<Value> {
        if self.params.get(prefix).is_some_and(String::is_empty) {
            return Some(Value::List(Vec::new()));
        }
        let item = &shape["member"];
        let items_prefix = if self.ec2 {
            prefix.to_owned()
        } else if flattened(shape, member) {
            match item["locationName"].as_str() {
                Some(name) => match prefix.rsplit_once('.') {
                    Some((parent, _)) => join(parent, name),
                    None => name.to_owned(),
                },
                None => prefix.to_owned(),
            }
        } else {
            join(prefix, item["locationName"].as_str().unwrap_or("member"))
        };
        let items: Vec<Value> = (1..)
            .map(|n| format!("{items_prefix}.{n}"))
            .take_while(|key| self.has(key))
            .map(|key| {
                self.value(self.model.target(item), item, &key)
                    .unwrap_or(Value::Mismatch("an empty item"))
            })
            .collect();
        (!items.is_empty()).then_some(Value::List(items))
    }

    fn map(&self, shape: &Json, member: &Json, prefix: &str) -> Option<Value> {
        let entries_prefix = if flattened(shape, member) {
            prefix.to_owned()
        } else {
            join(prefix, "entry")
        };
        let key_name = shape["key"]["locationName"].as_str().unwrap_or("key");
        let value_name = shape["value"]["locationName"].as_str().unwrap_or("value");
        let entries: Vec<(String, Value)> = (1..)
            .map(|n| format!("{entries_prefix}.{n}"))
            .take_while(|entry| self.has(entry))
            .map(|entry| {
                let key = self
                    .params
                    .get(&join(&entry, key_name))
                    .cloned()
                    .unwrap_or_default();
                let value = self
                    .value(
                        self.model.target(&shape["value"]),
                        &shape["value"],
                        &join(&entry, value_name),
                    )
                    .unwrap_or(Value::Mismatch("an entry without a value"));
                (key, value)
            })
            .collect();
        (!entries.is_empty()).then_some(Value::Map(entries))
    }
}

fn flattened(shape: &Json, member: &Json) -> bool {
    shape["flattened"].as_bool().unwrap_or(false) || member["flattened"].as_bool().unwrap_or(false)
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}
