//! What editors and shells read: the baseline's JSON Schema, completion scripts, the man page.

use serde_json::Value;

use support::Watchpost;

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const COMMITTED_SCHEMA: &str = "docs/baseline.schema.json";
const SUBCOMMANDS: &[&str] = &[
    "validate",
    "plan",
    "status",
    "destroy",
    "apply",
    "init",
    "schema",
    "completions",
    "man",
];

fn repo_file(path: &str) -> String {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("read {full}: {e}"))
}

fn printed_schema() -> String {
    let run = WATCHPOST.run(&["schema"], &[]);
    run.assert_success();
    run.stdout
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&printed_schema()).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

fn toml_as_json(text: &str) -> Value {
    toml::from_str(text).unwrap_or_else(|e| panic!("not TOML: {e}\n{text}"))
}

/// The schema's complaints about a baseline, one line each; empty when it conforms.
fn complaints(validator: &jsonschema::Validator, baseline: &Value) -> Vec<String> {
    validator
        .iter_errors(baseline)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

#[test]
fn the_committed_schema_is_the_one_watchpost_prints() {
    assert_eq!(
        repo_file(COMMITTED_SCHEMA),
        printed_schema(),
        "{COMMITTED_SCHEMA} is stale: run `cargo run -- schema > {COMMITTED_SCHEMA}`"
    );
    assert!(
        repo_file("baseline.toml").starts_with(&format!("#:schema ./{COMMITTED_SCHEMA}\n")),
        "baseline.toml must start with the #:schema directive editors read"
    );
}

#[test]
fn the_recommended_baseline_and_every_reference_example_conform() {
    let validator = validator();
    let recommended = toml_as_json(&repo_file("baseline.toml"));
    let problems = complaints(&validator, &recommended);
    assert!(problems.is_empty(), "baseline.toml: {problems:#?}");

    let reference = repo_file("docs/baseline-reference.md");
    let examples: Vec<&str> = reference
        .split("```toml\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap())
        .collect();
    assert!(
        examples.len() >= 10,
        "found only {} examples",
        examples.len()
    );
    for example in examples {
        // Most examples show one section: each stands in for its own in the recommended
        // baseline, which gives the sections the schema requires.
        let mut baseline = recommended.clone();
        for (section, value) in toml_as_json(example).as_object().unwrap() {
            baseline[section] = value.clone();
        }
        let problems = complaints(&validator, &baseline);
        assert!(problems.is_empty(), "{example}\n{problems:#?}");
    }
}

#[test]
fn a_wrong_key_does_not_conform() {
    let validator = validator();
    let recommended = repo_file("baseline.toml");
    for (wrong, expected) in [
        ("[guarduty]\n", ""),
        (
            "[scope]\nregions = \"all\"\nhome_regoin = \"us-east-1\"\n",
            "/scope",
        ),
        (
            "[guardduty.finding_alerts]\nmin_severty = 4\n",
            "/guardduty/finding_alerts",
        ),
        (
            "[alarms.filters]\nroot-account-use = { treshold = 2 }\n",
            "/alarms/filters/root-account-use",
        ),
        (
            "[scope]\nregions = \"some\"\nhome_region = \"us-east-1\"\n",
            "/scope/regions",
        ),
        (
            "[log_bucket]\nexpire_after_days = \"soon\"\n",
            "/log_bucket/expire_after_days",
        ),
    ] {
        let mut baseline = toml_as_json(&recommended);
        for (section, value) in toml_as_json(wrong).as_object().unwrap() {
            baseline[section] = value.clone();
        }
        let problems = complaints(&validator, &baseline);
        assert!(
            problems
                .iter()
                .any(|problem| problem.starts_with(&format!("{expected}:"))),
            "{wrong}\n{problems:#?}"
        );
    }
}

/// Every table the schema describes refuses keys it does not list, as the loader does.
#[test]
fn every_table_of_the_schema_is_closed() {
    fn visit(path: &str, schema: &Value, open: &mut Vec<String>) {
        match schema {
            Value::Object(map) => {
                if map.contains_key("properties")
                    && map.get("additionalProperties") != Some(&Value::Bool(false))
                {
                    open.push(path.to_owned());
                }
                for (key, value) in map {
                    visit(&format!("{path}/{key}"), value, open);
                }
            }
            Value::Array(items) => {
                for (i, value) in items.iter().enumerate() {
                    visit(&format!("{path}/{i}"), value, open);
                }
            }
            _ => {}
        }
    }
    let schema: Value = serde_json::from_str(&printed_schema()).unwrap();
    let mut open = Vec::new();
    visit("", &schema, &mut open);
    assert!(open.is_empty(), "tables that take any key: {open:?}");
}

#[test]
fn each_shell_gets_a_completion_script_naming_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = WATCHPOST.run(&["completions", shell], &[]);
        run.assert_success();
        for subcommand in SUBCOMMANDS {
            assert!(
                run.stdout.contains(subcommand),
                "{shell} script lacks `{subcommand}`"
            );
        }
    }
    let unknown = WATCHPOST.run(&["completions", "tcsh"], &[]);
    unknown.assert_code(1);
    unknown.assert_stderr_has(&["possible values: bash"]);
}

#[test]
fn the_man_page_has_its_sections_and_every_subcommand() {
    let run = WATCHPOST.run(&["man"], &[]);
    run.assert_success();
    for heading in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH SUBCOMMANDS",
    ] {
        assert!(
            run.stdout.contains(heading),
            "no `{heading}` in\n{}",
            run.stdout
        );
    }
    run.assert_stdout_has(&["watchpost"]);
    for subcommand in SUBCOMMANDS {
        assert!(
            run.stdout.contains(&format!("watchpost\\-{subcommand}")),
            "man page lacks `{subcommand}`"
        );
    }
}

/// `watchpost schema | head`, with the reader gone before the first byte: the pipe's read end
/// is closed before watchpost starts, so every write meets a closed pipe, whatever the size
/// of the output or the pipe's buffer.
#[test]
fn printing_into_a_closed_pipe_ends_quietly() {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::process::{Command, Stdio};

    for args in [
        &["schema"][..],
        &["completions", "bash"],
        &["completions", "zsh"],
        &["man"],
    ] {
        let mut ends = [0; 2];
        // SAFETY: `ends` has room for the two descriptors pipe(2) writes.
        assert_eq!(unsafe { libc::pipe(ends.as_mut_ptr()) }, 0, "pipe(2)");
        // SAFETY: pipe(2) just opened both; each is owned once, here.
        let (reader, writer) =
            unsafe { (OwnedFd::from_raw_fd(ends[0]), OwnedFd::from_raw_fd(ends[1])) };
        drop(reader);
        let output = Command::new(env!("CARGO_BIN_EXE_watchpost"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped())
            .output()
            .expect("watchpost runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    }
}
