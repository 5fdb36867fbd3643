//! The examples of docs/scheduling.md, "Splitting an organization into shards", are run as far
//! as they can be without their engine: the shell arithmetic of each worker's command, with the
//! engine's index variable set to each of its values, must give the shards 1/N to N/N exactly
//! once each, and a file named after each shard that the merge's pattern picks up; the sha256sum
//! line that tells an account's shard must agree with watchpost's hash; and every JSON and YAML
//! block of the section must be well formed. No AWS and no moto: bash, sha256sum and cut only.

use std::collections::BTreeSet;
use std::process::Command;

use sha2::{Digest, Sha256};

const SECTION: &str = "## Splitting an organization into shards";

/// A fenced block of the section: its language, its text and the `###` part it is in.
struct Block {
    lang: String,
    text: String,
    part: String,
}

fn section() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scheduling.md");
    let doc = std::fs::read_to_string(path).expect("docs/scheduling.md");
    let start = doc.find(SECTION).expect("the section on shards");
    let rest = &doc[start + SECTION.len()..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    rest[..end].to_owned()
}

fn blocks(section: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut part = String::new();
    let mut open: Option<(String, String)> = None;
    for line in section.lines() {
        if let Some((lang, text)) = &mut open {
            if line.trim_start().starts_with("```") {
                blocks.push(Block {
                    lang: std::mem::take(lang),
                    text: std::mem::take(text),
                    part: part.clone(),
                });
                open = None;
            } else {
                text.push_str(line);
                text.push('\n');
            }
        } else if let Some(heading) = line.strip_prefix("### ") {
            part = heading.trim().to_owned();
        } else if let Some(lang) = line.trim_start().strip_prefix("```") {
            open = Some((lang.trim().to_owned(), String::new()));
        }
    }
    assert!(open.is_none(), "a code block of the section is not closed");
    blocks
}

fn bash(script: &str, env: &[(&str, String)], args: &[&str]) -> String {
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(script)
        .arg("bash")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("bash runs");
    assert!(
        output.status.success(),
        "bash -c {script:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// watchpost's hash (src/baseline/shard.rs), written again: SHA-256 of the id, its first 8
/// bytes as a big-endian u64, modulo N, plus 1.
fn shard_of(account_id: &str, count: u64) -> u64 {
    let digest = Sha256::digest(account_id.as_bytes());
    let head = u64::from_be_bytes(digest[..8].try_into().unwrap());
    head % count + 1
}

/// The shell word that starts at `text`: up to the first blank outside quotes, `$((...))` and
/// `${{ ... }}`.
fn word(text: &str) -> &str {
    let (mut depth, mut quoted) = (0i32, false);
    for (at, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' | '{' => depth += 1,
            ')' | '}' => depth -= 1,
            c if c.is_whitespace() && depth == 0 && !quoted => return &text[..at],
            _ => {}
        }
    }
    text
}

/// The lines of shell in a block; for JSON, every string in it (a command array's script).
fn commands(block: &Block) -> Vec<String> {
    fn strings(value: &serde_json::Value, into: &mut Vec<String>) {
        match value {
            serde_json::Value::String(text) => into.extend(text.lines().map(str::to_owned)),
            serde_json::Value::Array(items) => items.iter().for_each(|item| strings(item, into)),
            serde_json::Value::Object(map) => map.values().for_each(|item| strings(item, into)),
            _ => {}
        }
    }
    if block.lang == "json" {
        let mut into = Vec::new();
        strings(&serde_json::from_str(&block.text).unwrap(), &mut into);
        into
    } else {
        block.text.lines().map(str::to_owned).collect()
    }
}

/// The number after `key` in the blocks of a part, such as `completions: 3`.
fn number_after(blocks: &[&Block], key: &str) -> u64 {
    let found: Vec<u64> = blocks
        .iter()
        .flat_map(|block| {
            block
                .text
                .match_indices(key)
                .map(|(at, _)| &block.text[at + key.len()..])
        })
        .map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits
                .parse()
                .unwrap_or_else(|_| panic!("a number after `{key}`"))
        })
        .collect();
    assert_eq!(found.len(), 1, "`{key}` once in the example: {found:?}");
    found[0]
}

/// How one engine numbers its workers: the shell variable it sets, or the values it writes
/// in place of an expression, and where the example says how many workers there are.
enum Index {
    /// A shell variable from 0 to the count less 1.
    Variable(&'static str),
    /// Text the engine replaces before the shell runs, by the values of a list.
    Substituted(&'static str),
}

fn check_example(blocks: &[Block], part: &str, index: Index, count: u64) {
    let part_blocks: Vec<&Block> = blocks.iter().filter(|b| b.part == part).collect();
    assert!(!part_blocks.is_empty(), "no code under `### {part}`");
    let lines: Vec<String> = part_blocks.iter().flat_map(|b| commands(b)).collect();

    let workers: Vec<&String> = lines
        .iter()
        .filter(|line| line.contains("watchpost ") && line.contains("--shard "))
        .collect();
    assert_eq!(
        workers.len(),
        1,
        "one worker command in `{part}`: {workers:?}"
    );
    let worker = &workers[0][workers[0].find("watchpost ").unwrap()..];
    let after_shard = &worker[worker.find("--shard ").unwrap() + "--shard ".len()..];
    let shard_word = word(after_shard);
    let target = after_shard
        .find(" > ")
        .map(|at| word(&after_shard[at + 3..]))
        .unwrap_or_else(|| panic!("`{part}` writes its output to a file: {worker}"));
    assert!(
        worker.contains(" --json"),
        "`{part}` runs watchpost with --json"
    );

    let merges: Vec<&String> = lines
        .iter()
        .filter(|line| line.trim_start().starts_with("watchpost report merge "))
        .collect();
    assert_eq!(merges.len(), 1, "one merge in `{part}`: {merges:?}");
    let pattern = merges[0]
        .split_whitespace()
        .find(|w| w.contains('*'))
        .unwrap_or_else(|| panic!("the merge of `{part}` reads the shards' files by a pattern"));
    let pattern = pattern.rsplit('/').next().unwrap().trim_matches('"');

    let echo = format!("printf '%s\\n' {shard_word} {target}");
    let values: Vec<(String, String)> = match index {
        Index::Variable(name) => (0..count)
            .map(|i| {
                let out = bash(&echo, &[(name, i.to_string())], &[]);
                (format!("{name}={i}"), out)
            })
            .collect(),
        Index::Substituted(expression) => {
            let listed: Vec<u64> = (1..=count).collect();
            listed
                .iter()
                .map(|i| {
                    let script = echo.replace(expression, &i.to_string());
                    (format!("{expression}={i}"), bash(&script, &[], &[]))
                })
                .collect()
        }
    };

    let mut shards = BTreeSet::new();
    for (setting, out) in values {
        let mut out = out.lines();
        let (shard, file) = (out.next().unwrap(), out.next().unwrap());
        let file = file.rsplit('/').next().unwrap();
        let (i, n) = shard.split_once('/').expect("I/N");
        assert_eq!(
            n,
            count.to_string(),
            "{part}, {setting}: {shard} of {count} workers"
        );
        assert!(
            file.contains(&format!("shard-{i}-of-{n}.")),
            "{part}, {setting}: the file {file} is named after shard {shard}"
        );
        let matched = Command::new("bash")
            .args(["-c", "[[ $1 == $2 ]]", "bash", file, pattern])
            .status()
            .unwrap()
            .success();
        assert!(matched, "{part}: the merge's `{pattern}` reads {file}");
        assert!(shards.insert(shard.to_owned()), "{part}: {shard} twice");
    }
    let expected: BTreeSet<String> = (1..=count).map(|i| format!("{i}/{count}")).collect();
    assert_eq!(shards, expected, "{part}: the shards of {count} workers");
}

#[test]
fn each_example_gives_its_workers_the_shards_1_to_n_and_merges_their_files() {
    let section = section();
    let blocks = blocks(&section);

    let k8s = blocks
        .iter()
        .find(|b| b.part == "Kubernetes Indexed Job" && b.lang == "yaml")
        .expect("the Indexed Job's YAML");
    assert!(k8s.text.contains("completionMode: Indexed"));
    let completions = number_after(&[k8s], "completions: ");
    assert_eq!(
        number_after(&[k8s], "parallelism: "),
        completions,
        "every shard runs at once"
    );
    check_example(
        &blocks,
        "Kubernetes Indexed Job",
        Index::Variable("JOB_COMPLETION_INDEX"),
        completions,
    );

    let actions = blocks
        .iter()
        .find(|b| b.part == "GitHub Actions matrix" && b.lang == "yaml");
    let actions = &actions.expect("the workflow").text;
    assert!(
        actions.contains("needs: plan"),
        "the merge waits for the matrix"
    );
    let listed = actions
        .lines()
        .find_map(|line| line.trim().strip_prefix("shard: "))
        .expect("the matrix's list of shards");
    let listed: Vec<u64> = listed
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|n| n.trim().parse().unwrap())
        .collect();
    assert_eq!(listed, (1..=listed.len() as u64).collect::<Vec<_>>());
    check_example(
        &blocks,
        "GitHub Actions matrix",
        Index::Substituted("${{ matrix.shard }}"),
        listed.len() as u64,
    );

    let batch: Vec<&Block> = blocks
        .iter()
        .filter(|b| b.part == "AWS Batch array job")
        .collect();
    let size = number_after(&batch, "--array-properties size=");
    check_example(
        &blocks,
        "AWS Batch array job",
        Index::Variable("AWS_BATCH_JOB_ARRAY_INDEX"),
        size,
    );
}

#[test]
fn the_sha256sum_line_tells_the_shard_watchpost_computes() {
    let section = section();
    let blocks = blocks(&section);
    let line = blocks
        .iter()
        .filter(|b| b.lang == "sh")
        .flat_map(|b| b.text.lines())
        .find(|line| line.contains("sha256sum"))
        .expect("the reproduction with sha256sum");
    let shown = "id=123456789012 n=3;";
    let rest = line
        .strip_prefix(shown)
        .unwrap_or_else(|| panic!("the line starts with `{shown}`: {line}"));
    assert!(
        section.contains(&format!("It prints `{}/3`", shard_of("123456789012", 3))),
        "the section says what the line prints for its example"
    );

    let ids = [
        "123456789012",
        "111111111111",
        "222222222222",
        "000000000001",
        "999999999999",
        "210987654321",
    ];
    // A digest whose first bit is set is a negative number to the shell: the line must cope.
    assert!(
        ids.iter()
            .any(|id| Sha256::digest(id.as_bytes())[0] & 0x80 != 0),
        "the ids include a digest of 2^63 or more"
    );
    for id in ids {
        for n in [1u64, 2, 3, 7, 10, 100, 1000] {
            let out = bash(&format!("id={id} n={n};{rest}"), &[], &[]);
            assert_eq!(
                out.trim(),
                format!("{}/{n}", shard_of(id, n)),
                "account {id} of {n} shards"
            );
        }
    }
}

/// What can be checked of YAML without a parser: no tabs; indentation in steps of two that
/// opens only under `key:` or a list item and closes back to a level already open; block
/// scalars (`|`) indented under their key; balanced quotes and brackets on each line.
fn check_yaml(text: &str) -> Result<(), String> {
    let mut levels: Vec<usize> = vec![0];
    let mut previous: Option<(usize, String)> = None;
    let mut scalar_under: Option<usize> = None;
    for (number, line) in text.lines().enumerate() {
        let number = number + 1;
        if line.contains('\t') {
            return Err(format!("line {number}: a tab"));
        }
        let content = line.trim_start();
        let indent = line.len() - content.len();
        if content.is_empty() {
            continue;
        }
        if let Some(parent) = scalar_under {
            if indent > parent {
                continue;
            }
            scalar_under = None;
        }
        if content.starts_with('#') {
            continue;
        }
        if content == "---" {
            if indent != 0 {
                return Err(format!("line {number}: an indented ---"));
            }
            levels = vec![0];
            previous = None;
            continue;
        }
        if indent % 2 != 0 {
            return Err(format!("line {number}: indented by {indent}"));
        }
        let code = match content.find(" #") {
            Some(at) if content[..at].matches('"').count() % 2 == 0 => &content[..at],
            _ => content,
        }
        .trim_end();
        if code.matches('"').count() % 2 != 0 {
            return Err(format!("line {number}: unbalanced quotes"));
        }
        if code.matches('[').count() != code.matches(']').count() {
            return Err(format!("line {number}: unbalanced brackets"));
        }
        let item = code.strip_prefix("- ").unwrap_or(code);
        if !code.starts_with("- ") && !item.contains(':') {
            return Err(format!(
                "line {number}: neither `key: value` nor a list item"
            ));
        }
        let top = *levels.last().unwrap();
        if indent > top {
            let (p_indent, p_code) = previous
                .clone()
                .ok_or(format!("line {number}: indented first line"))?;
            let allowed = if p_code.ends_with(':') && p_code.starts_with("- ") {
                indent == p_indent + 2 || indent == p_indent + 4
            } else {
                (p_code.ends_with(':') || p_code.starts_with("- ")) && indent == p_indent + 2
            };
            if !allowed {
                return Err(format!(
                    "line {number}: indented by {indent} under `{p_code}` at {p_indent}"
                ));
            }
            if p_code.starts_with("- ") && indent == p_indent + 4 {
                levels.push(p_indent + 2);
            }
            levels.push(indent);
        } else {
            while *levels.last().unwrap() > indent {
                levels.pop();
            }
            if *levels.last().unwrap() != indent {
                return Err(format!(
                    "line {number}: back to {indent}, which no level opened"
                ));
            }
        }
        if code.ends_with('|') || code.ends_with("|-") || code.ends_with('>') {
            scalar_under = Some(indent);
            let next = text.lines().skip(number).find(|l| !l.trim().is_empty());
            if next.is_none_or(|l| l.len() - l.trim_start().len() <= indent) {
                return Err(format!(
                    "line {number}: an empty or unindented block scalar"
                ));
            }
        }
        previous = Some((indent, code.to_owned()));
    }
    Ok(())
}

#[test]
fn the_json_and_yaml_of_the_section_are_well_formed() {
    let section = section();
    let blocks = blocks(&section);
    let (mut json, mut yaml) = (0, 0);
    for block in &blocks {
        match block.lang.as_str() {
            "json" => {
                json += 1;
                if let Err(error) = serde_json::from_str::<serde_json::Value>(&block.text) {
                    panic!("JSON in `{}`: {error}\n{}", block.part, block.text);
                }
            }
            "yaml" => {
                yaml += 1;
                if let Err(error) = check_yaml(&block.text) {
                    panic!("YAML in `{}`: {error}", block.part);
                }
            }
            _ => {}
        }
    }
    assert!(json >= 2 && yaml >= 2, "{json} JSON and {yaml} YAML blocks");

    // The check of YAML catches what it should.
    assert!(check_yaml("a:\n  b: 1\n   c: 2\n").is_err());
    assert!(check_yaml("a:\n    b: 1\n").is_err());
    assert!(check_yaml("a: 1\n  b: 2\n").is_err());
    assert!(check_yaml("a:\n\tb: 1\n").is_err());
    assert!(check_yaml("a:\n  - b: 1\n    c: [x\n").is_err());
    assert!(check_yaml("a:\n  - name: x\n    run: |\n      echo $((1 + 1))\n  - b: 2\n").is_ok());
}
