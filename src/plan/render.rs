//! The plan as people read it, in the notation Terraform users know.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use serde_json::Value;

use super::{Action, Plan};

const CREATE: Style = AnsiColor::Green.on_default();
const UPDATE: Style = AnsiColor::Yellow.on_default();
const DELETE: Style = AnsiColor::Red.on_default();
const NOTE: Style = Style::new().dimmed();

/// The plan as text. `styled` adds colour codes, which the printer (anstream) strips where
/// colour is not wanted; plans compared in tests are rendered without.
pub fn render(plan: &Plan, styled: bool) -> String {
    let paint = |style: Style, text: &str| {
        if styled {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    for gap in &plan.gaps {
        let _ = writeln!(
            out,
            "! {}: could not read ({}): {}; its resources are left out of this plan",
            gap.place, gap.call, gap.reason
        );
    }
    if !plan.gaps.is_empty() {
        out.push('\n');
    }
    if plan.is_empty() {
        for note in &plan.notes {
            let _ = writeln!(out, "{}", paint(NOTE, &format!("note: {note}")));
        }
    }
    if plan.is_empty() && plan.gaps.is_empty() {
        out.push_str("No changes. The account matches the baseline.\n");
        return out;
    }
    if plan.is_empty() {
        out.push_str("No changes in what could be read; the parts above are unknown.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "watchpost will make these changes in account {} (regions: {}):\n",
        plan.account_id,
        plan.regions.join(", ")
    );
    for change in &plan.changes {
        match change.action {
            Action::Create => {
                let _ = writeln!(out, "  {} {}", paint(CREATE, "+"), change.id);
                let fields = change.spec.field_values();
                let width = fields.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
                for (name, value) in fields {
                    let _ = writeln!(out, "      {name:<width$} = {}", show(&value, 8));
                }
            }
            Action::Delete => {
                let _ = writeln!(out, "  {} {}", paint(DELETE, "-"), change.id);
            }
            Action::Update => {
                let _ = writeln!(out, "  {} {}", paint(UPDATE, "~"), change.id);
                for field in &change.fields {
                    let before = field
                        .before
                        .as_ref()
                        .map_or_else(|| "(none)".to_owned(), |value| show(value, 8));
                    let after = if field.after.is_null() {
                        "(removed)".to_owned()
                    } else {
                        show(&field.after, 8)
                    };
                    let _ = writeln!(out, "      {}: {before} → {after}", field.field);
                }
            }
        }
        out.push('\n');
    }
    for note in &plan.notes {
        let _ = writeln!(out, "{}", paint(NOTE, &format!("note: {note}")));
    }
    if !plan.notes.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "Plan: {} to add, {} to change, {} to destroy.",
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::Delete)
    );
    out
}

/// Short values on one line; documents such as policies as indented JSON.
fn show(value: &Value, indent: usize) -> String {
    let compact = value.to_string();
    if compact.len() <= 72 || !(value.is_object() || value.is_array()) {
        return compact;
    }
    let pretty = serde_json::to_string_pretty(value).expect("JSON values serialize");
    let pad = " ".repeat(indent);
    pretty.replace('\n', &format!("\n{pad}"))
}
