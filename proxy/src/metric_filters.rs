//! A metric filter put again, which moto keeps twice. AWS's `PutMetricFilter` "creates or
//! updates a metric filter" (CloudWatch Logs API Reference): a filter of the same name on the
//! same log group is replaced. moto appends another, so a put retried after its answer was lost
//! leaves two. The proxy shows what AWS would: in a `DescribeMetricFilters` answer, one filter a
//! log group and name, the one put last.

use std::collections::HashMap;

use hyper::body::Bytes;
use hyper::header::{CONTENT_LENGTH, HeaderValue};
use hyper::{Request, Response};
use serde_json::Value;

/// Whether `request` is CloudWatch Logs' `DescribeMetricFilters` (JSON 1.1, by `X-Amz-Target`).
pub(crate) fn is_describe(request: &Request<Bytes>) -> bool {
    request
        .headers()
        .get("x-amz-target")
        .and_then(|target| target.to_str().ok())
        .is_some_and(|target| target == "Logs_20140328.DescribeMetricFilters")
}

/// The answer with each log group's filter of one name once, holding the last one moto kept,
/// in the place of the first.
pub(crate) fn replaced(answer: Response<Bytes>) -> Response<Bytes> {
    let Ok(mut document) = serde_json::from_slice::<Value>(answer.body()) else {
        return answer;
    };
    let Some(filters) = document
        .get_mut("metricFilters")
        .and_then(Value::as_array_mut)
    else {
        return answer;
    };
    let key = |filter: &Value| (filter["logGroupName"].clone(), filter["filterName"].clone());
    let mut last: HashMap<(Value, Value), Value> = HashMap::new();
    for filter in filters.iter() {
        last.insert(key(filter), filter.clone());
    }
    let mut kept = Vec::new();
    for filter in filters.iter() {
        if let Some(latest) = last.remove(&key(filter)) {
            kept.push(latest);
        }
    }
    if kept.len() == filters.len() {
        return answer;
    }
    *filters = kept;
    let body = Bytes::from(document.to_string());
    let (mut head, _) = answer.into_parts();
    head.headers
        .insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    Response::from_parts(head, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_put_twice_is_shown_once_as_put_last() {
        let body = serde_json::json!({"metricFilters": [
            {"logGroupName": "trail", "filterName": "root-use", "filterPattern": "old"},
            {"logGroupName": "trail", "filterName": "signin-failures", "filterPattern": "x"},
            {"logGroupName": "other", "filterName": "root-use", "filterPattern": "theirs"},
            {"logGroupName": "trail", "filterName": "root-use", "filterPattern": "new"},
        ]});
        let answer = Response::new(Bytes::from(body.to_string()));
        let shown: Value = serde_json::from_slice(replaced(answer).body()).unwrap();
        let patterns: Vec<&str> = shown["metricFilters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|filter| filter["filterPattern"].as_str().unwrap())
            .collect();
        assert_eq!(patterns, ["new", "x", "theirs"]);
    }
}
