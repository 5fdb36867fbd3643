//! One AWS service model as botocore ships it (`<service>/<version>/service-2.json.gz`), and the
//! catalogue that finds the model a request's SigV4 credential scope names.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use flate2::read::GzDecoder;
use regex::Regex;
use serde_json::{Map, Value};

/// A parsed service model: its operations and shapes, read as botocore's JSON has them.
pub(crate) struct ServiceModel {
    /// `metadata.serviceId` without spaces (`CloudWatchLogs`), for messages.
    pub(crate) name: String,
    /// `metadata.protocol`: `json`, `query`, `ec2`, `rest-json`, `rest-xml`, ...
    pub(crate) protocol: String,
    /// `metadata.targetPrefix`, the part of `X-Amz-Target` before the operation (awsJson).
    pub(crate) target_prefix: Option<String>,
    pub(crate) operations: Map<String, Value>,
    shapes: Map<String, Value>,
    /// Compiled `pattern` traits by their source; `None` where the `regex` crate cannot compile
    /// the Java regex (lookaround, possessive quantifiers, `\p{Alnum}`...), which is then skipped.
    patterns: Mutex<HashMap<String, Option<Arc<Regex>>>>,
}

impl ServiceModel {
    pub(crate) fn load(path: &Path) -> io::Result<ServiceModel> {
        let mut text = String::new();
        GzDecoder::new(File::open(path)?).read_to_string(&mut text)?;
        let model: Value = serde_json::from_str(&text)
            .map_err(|error| io::Error::other(format!("{}: {error}", path.display())))?;
        let metadata = &model["metadata"];
        let text_of = |key: &str| metadata[key].as_str().map(str::to_owned);
        let object = |key: &str| model[key].as_object().cloned().unwrap_or_default();
        Ok(ServiceModel {
            name: text_of("serviceId").unwrap_or_default().replace(' ', ""),
            protocol: text_of("protocol").unwrap_or_default(),
            target_prefix: text_of("targetPrefix"),
            operations: object("operations"),
            shapes: object("shapes"),
            patterns: Mutex::new(HashMap::new()),
        })
    }

    /// The shape named `name`; an empty object for a name the model lacks.
    pub(crate) fn shape(&self, name: &str) -> &Value {
        static NONE: OnceLock<Value> = OnceLock::new();
        self.shapes
            .get(name)
            .unwrap_or_else(|| NONE.get_or_init(|| Value::Object(Map::new())))
    }

    /// The shape a member (`{"shape": ...}`) refers to.
    pub(crate) fn target(&self, member: &Value) -> &Value {
        self.shape(member["shape"].as_str().unwrap_or_default())
    }

    /// `pattern` compiled, or `None` when the `regex` crate cannot read it.
    pub(crate) fn pattern(&self, pattern: &str) -> Option<Arc<Regex>> {
        let mut patterns = self.patterns.lock().unwrap_or_else(PoisonError::into_inner);
        patterns
            .entry(pattern.to_owned())
            // AWS validates a member against its pattern whole, as Java's `String.matches`
            // does ("Member must satisfy regular expression pattern"), so it is anchored here.
            .or_insert_with(|| Regex::new(&format!("^(?:{pattern})$")).ok().map(Arc::new))
            .clone()
    }
}

/// Every model under botocore's `data` directory, loaded on first use.
pub(crate) struct Catalogue {
    data: PathBuf,
    /// Credential scope service → the directories whose model signs with it, built on the
    /// first request.
    by_scope: OnceLock<HashMap<String, Vec<String>>>,
    loaded: Mutex<HashMap<String, Option<Arc<ServiceModel>>>>,
}

/// How much of a compressed model is read to find its metadata: botocore writes `metadata`
/// first, well within this.
const METADATA_PREFIX: u64 = 4096;

impl Catalogue {
    pub(crate) fn open(data: &Path) -> io::Result<Catalogue> {
        if !data.join("sts").is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "{} is not botocore's data directory (it has no sts/)",
                    data.display()
                ),
            ));
        }
        Ok(Catalogue {
            data: data.to_owned(),
            by_scope: OnceLock::new(),
            loaded: Mutex::new(HashMap::new()),
        })
    }

    /// The models a request signed for `scope` may be for, the one of the same name first
    /// (scope `s3` is S3's, then S3 Control's, which signs as `s3` too).
    pub(crate) fn for_scope(&self, scope: &str) -> Vec<Arc<ServiceModel>> {
        let directories = self
            .by_scope
            .get_or_init(|| self.scan())
            .get(scope)
            .cloned()
            .unwrap_or_default();
        directories
            .iter()
            .filter_map(|directory| self.model(directory))
            .collect()
    }

    fn model(&self, directory: &str) -> Option<Arc<ServiceModel>> {
        let mut loaded = self.loaded.lock().unwrap_or_else(PoisonError::into_inner);
        loaded
            .entry(directory.to_owned())
            .or_insert_with(|| {
                let path = newest_model(&self.data.join(directory))?;
                ServiceModel::load(&path).ok().map(Arc::new)
            })
            .clone()
    }

    /// Reads the metadata of every model: a model answers to its `signingName`, or else its
    /// `endpointPrefix`.
    fn scan(&self) -> HashMap<String, Vec<String>> {
        let mut by_scope: HashMap<String, Vec<String>> = HashMap::new();
        let Ok(entries) = std::fs::read_dir(&self.data) else {
            return by_scope;
        };
        let mut directories: Vec<String> = entries
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect();
        directories.sort();
        for directory in directories {
            let Some(path) = newest_model(&self.data.join(&directory)) else {
                continue;
            };
            let Some(scope) = signing_scope(&path) else {
                continue;
            };
            let candidates = by_scope.entry(scope.clone()).or_default();
            if directory == scope {
                candidates.insert(0, directory);
            } else {
                candidates.push(directory);
            }
        }
        by_scope
    }
}

/// `<service>/<newest version>/service-2.json.gz`, versions being dates that sort as text.
fn newest_model(service: &Path) -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir(service)
        .ok()?
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|version| version.join("service-2.json.gz").is_file())
        .collect();
    versions.sort();
    Some(versions.pop()?.join("service-2.json.gz"))
}

fn signing_scope(path: &Path) -> Option<String> {
    let mut head = Vec::new();
    GzDecoder::new(File::open(path).ok()?)
        .take(METADATA_PREFIX)
        .read_to_end(&mut head)
        .ok()?;
    let head = String::from_utf8_lossy(&head);
    // The models are written both as `"key":"value"` and as `"key": "value"`.
    let value_of = |key: &str| {
        let quoted = format!("\"{key}\"");
        let after_key = &head[head.find(&quoted)? + quoted.len()..];
        let value = after_key.trim_start().strip_prefix(':')?.trim_start();
        let value = value.strip_prefix('"')?;
        Some(value[..value.find('"')?].to_owned())
    };
    value_of("signingName").or_else(|| value_of("endpointPrefix"))
}
