//! The S3 folder of a flow log's destination, which moto lacks. AWS takes
//! `arn:aws:s3:::bucket/folder` as a flow log's `LogDestination` and writes under the folder (VPC
//! User Guide, "Create a flow log that publishes to Amazon S3"); moto looks for a bucket named
//! `bucket/folder` and refuses the flow log. So the proxy sends moto a `CreateFlowLogs` with the
//! bucket alone, remembers the folder of each flow log it made, and puts it back in what
//! `DescribeFlowLogs` answers: the client sees what AWS would show.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use hyper::body::Bytes;
use hyper::header::{CONTENT_LENGTH, HeaderValue};
use hyper::{Request, Response};

#[derive(Default)]
pub(crate) struct Folders {
    /// The destination each flow log was asked for, by flow log id.
    destinations: Mutex<HashMap<String, String>>,
}

impl Folders {
    /// The request as moto takes it, and the destination it asked for when moto is sent less.
    pub(crate) fn request(&self, request: Request<Bytes>) -> (Request<Bytes>, Option<String>) {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(request.body())
            .into_owned()
            .collect();
        let is_create = pairs
            .iter()
            .any(|(key, value)| key == "Action" && value == "CreateFlowLogs");
        let asked = pairs
            .iter()
            .find(|(key, _)| key == "LogDestination")
            .map(|(_, value)| value.clone());
        let (Some(asked), true) = (asked, is_create) else {
            return (request, None);
        };
        let Some(bucket) = bucket_of(&asked) else {
            return (request, None);
        };
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter().map(|(key, value)| {
                let value = if key == "LogDestination" {
                    bucket
                } else {
                    value
                };
                (key.as_str(), value)
            }))
            .finish();
        let (mut head, _) = request.into_parts();
        head.headers
            .insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
        (Request::from_parts(head, Bytes::from(body)), Some(asked))
    }

    /// Learns the flow logs a `CreateFlowLogs` of `asked` made; gives a `DescribeFlowLogs`
    /// answer back with each learned flow log's folder.
    pub(crate) fn answer(&self, asked: Option<String>, answer: Response<Bytes>) -> Response<Bytes> {
        let Ok(text) = std::str::from_utf8(answer.body()) else {
            return answer;
        };
        let mut destinations = self
            .destinations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(asked) = asked {
            for id in created_ids(text) {
                destinations.insert(id, asked.clone());
            }
            return answer;
        }
        if !text.contains("<DescribeFlowLogsResponse") {
            return answer;
        }
        let restored = with_folders(text, &destinations);
        let (mut head, _) = answer.into_parts();
        head.headers
            .insert(CONTENT_LENGTH, HeaderValue::from(restored.len()));
        Response::from_parts(head, Bytes::from(restored))
    }
}

/// `arn:PARTITION:s3:::bucket` of `arn:PARTITION:s3:::bucket/folder`; `None` without a folder.
fn bucket_of(destination: &str) -> Option<&str> {
    let start = destination.find(":s3:::")? + ":s3:::".len();
    let slash = destination[start..].find('/')?;
    Some(&destination[..start + slash])
}

/// The ids of `<flowLogIdSet><item>ID</item>...` in a `CreateFlowLogs` answer.
fn created_ids(text: &str) -> Vec<String> {
    let Ok(document) = roxmltree::Document::parse(text) else {
        return Vec::new();
    };
    document
        .descendants()
        .filter(|node| node.has_tag_name("item"))
        .filter(|node| {
            node.parent()
                .is_some_and(|set| set.has_tag_name("flowLogIdSet"))
        })
        .filter_map(|node| node.text().map(str::to_owned))
        .collect()
}

/// The answer with each learned flow log's `<logDestination>` as it was asked for. moto writes
/// a flow log's destination before its id, in the same item.
fn with_folders(text: &str, destinations: &HashMap<String, String>) -> String {
    const OPEN: &str = "<logDestination>";
    const CLOSE: &str = "</logDestination>";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(OPEN) {
        let value_start = open + OPEN.len();
        let Some(value_length) = rest[value_start..].find(CLOSE) else {
            break;
        };
        let value_end = value_start + value_length;
        let next_item = rest[value_end..]
            .find(OPEN)
            .map_or(rest.len(), |at| value_end + at);
        let id = between(&rest[value_end..next_item], "<flowLogId>", "</flowLogId>");
        out.push_str(&rest[..value_start]);
        match id.and_then(|id| destinations.get(id)) {
            Some(asked) => out.push_str(asked),
            None => out.push_str(&rest[value_start..value_end]),
        }
        rest = &rest[value_end..];
    }
    out.push_str(rest);
    out
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let length = text[start..].find(close)?;
    Some(&text[start..start + length])
}

#[cfg(test)]
mod tests {
    use super::*;

    const ASKED: &str = "arn:aws:s3:::logs/vpc-flow-logs";

    fn create(destination: &str) -> Request<Bytes> {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("Action", "CreateFlowLogs")
            .append_pair("LogDestination", destination)
            .finish();
        Request::new(Bytes::from(body))
    }

    fn describe(items: &[(&str, &str)]) -> Response<Bytes> {
        let items: String = items
            .iter()
            .map(|(destination, id)| {
                format!(
                    "<item><logDestination>{destination}</logDestination><flowLogId>{id}</flowLogId><tagSet><item><key>k</key></item></tagSet></item>"
                )
            })
            .collect();
        Response::new(Bytes::from(format!(
            "<DescribeFlowLogsResponse><flowLogSet>{items}</flowLogSet></DescribeFlowLogsResponse>"
        )))
    }

    #[test]
    fn moto_is_sent_the_bucket_and_the_client_is_shown_the_folder() {
        let folders = Folders::default();
        let (sent, asked) = folders.request(create(ASKED));
        let sent: Vec<(String, String)> =
            form_urlencoded::parse(sent.body()).into_owned().collect();
        assert!(sent.contains(&("LogDestination".to_owned(), "arn:aws:s3:::logs".to_owned())));
        let created = Response::new(Bytes::from(
            "<CreateFlowLogsResponse><flowLogIdSet><item>fl-1</item></flowLogIdSet></CreateFlowLogsResponse>",
        ));
        folders.answer(asked, created);

        let shown = folders.answer(
            None,
            describe(&[("arn:aws:s3:::logs", "fl-1"), ("arn:aws:s3:::logs", "fl-2")]),
        );
        let shown = std::str::from_utf8(shown.body()).unwrap();
        assert!(shown.contains(&format!(
            "<logDestination>{ASKED}</logDestination><flowLogId>fl-1"
        )));
        assert!(
            shown.contains("<logDestination>arn:aws:s3:::logs</logDestination><flowLogId>fl-2"),
            "a flow log made without a folder is shown as moto has it: {shown}"
        );
    }

    #[test]
    fn a_destination_without_a_folder_goes_to_moto_unchanged() {
        let folders = Folders::default();
        let (sent, asked) = folders.request(create("arn:aws:s3:::logs"));
        assert_eq!(asked, None);
        assert_eq!(sent.body(), create("arn:aws:s3:::logs").body());
    }
}
