//! The value tree a request decodes to, whatever its protocol: what the checks walk.

use std::collections::BTreeMap;

/// A request's input, laid out as its shape: structures keyed by member name (not by the
/// `locationName`, `queryName` or capitalised name each protocol puts on the wire).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// A string, number, boolean, timestamp or blob as its text on the wire.
    Scalar(String),
    List(Vec<Value>),
    /// Map entries in wire order.
    Map(Vec<(String, Value)>),
    Structure(BTreeMap<String, Value>),
    /// Something that is not the kind of value its shape is (a JSON array where a string
    /// belongs), named for the message.
    Mismatch(&'static str),
}
