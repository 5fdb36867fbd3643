//! The plan as people read it, in the notation Terraform users know: the whole of it
//! (`--full`), or the compact plan shown by default, where what is added is counted kind by
//! kind, what changes or goes is shown in full, and what repeats region after region is said
//! once.

use std::collections::BTreeMap;
use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use serde_json::Value;

use super::{Action, Change, Plan};
use crate::model::{Gap, Kind, ResourceId};

const CREATE: Style = AnsiColor::Green.on_default();
const UPDATE: Style = AnsiColor::Yellow.on_default();
const DELETE: Style = AnsiColor::Red.on_default();
const NOTE: Style = Style::new().dimmed();

/// Columns the compact plan wraps its prose at; the full plan leaves lines as they are.
const WIDTH: usize = 100;

/// Colour codes, which the printer (anstream) strips where colour is not wanted; plans
/// compared in tests are rendered without.
#[derive(Clone, Copy)]
struct Paint {
    styled: bool,
}

impl Paint {
    fn paint(self, style: Style, text: &str) -> String {
        if self.styled {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    fn symbol(self, action: Action) -> String {
        match action {
            Action::Create => self.paint(CREATE, "+"),
            Action::Update => self.paint(UPDATE, "~"),
            Action::Delete => self.paint(DELETE, "-"),
        }
    }
}

/// The whole plan: every change with every setting, then the summary line.
pub fn render_full(plan: &Plan, styled: bool) -> String {
    let paint = Paint { styled };
    let mut out = String::new();
    for gap in &plan.gaps {
        let _ = writeln!(out, "! {}", gap_text(gap));
        if let Some(hint) = &gap.hint {
            let _ = writeln!(out, "  hint: {hint}");
        }
    }
    if !plan.gaps.is_empty() {
        out.push('\n');
    }
    if plan.is_empty() {
        for note in &plan.notes {
            let _ = writeln!(out, "{}", paint.paint(NOTE, &format!("note: {note}")));
        }
        let _ = writeln!(out, "{}", summary_line(plan));
        return out;
    }
    let _ = writeln!(
        out,
        "watchpost will make these changes in account {} (regions: {}):\n",
        plan.account_id,
        plan.regions.join(", ")
    );
    for change in &plan.changes {
        out.push_str(&entry(change, &change.id.to_string(), paint));
        out.push('\n');
    }
    for note in &plan.notes {
        let _ = writeln!(out, "{}", paint.paint(NOTE, &format!("note: {note}")));
    }
    if !plan.notes.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "{}", summary_line(plan));
    out
}

/// The plan as shown by default, without its summary line, which the caller prints last
/// (after the cost estimate): what is added as a count per kind and region, each update and
/// delete in full, and notes, gaps and updates that repeat region after region said once,
/// naming the regions.
pub fn render_compact(plan: &Plan, styled: bool) -> String {
    let paint = Paint { styled };
    let mut out = gap_lines(plan);
    if plan.is_empty() {
        let notes = note_lines(plan, styled);
        if !notes.is_empty() {
            out.push_str(&notes);
            out.push('\n');
        }
        return out;
    }
    let header = format!(
        "watchpost will make these changes in account {} (regions: {}):",
        plan.account_id,
        plan.regions.join(", ")
    );
    let _ = writeln!(out, "{}\n", wrapped(&header, 2));
    let creates: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|change| change.action == Action::Create)
        .collect();
    if !creates.is_empty() {
        out.push_str(&tally(&creates, &plan.regions, paint));
        out.push_str("      (--full shows each with its settings)\n\n");
    }
    let shown: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|change| change.action != Action::Create)
        .collect();
    for entry in shown_in_full(&shown, &plan.regions, paint) {
        out.push_str(&entry);
        out.push('\n');
    }
    let notes = note_lines(plan, styled);
    if !notes.is_empty() {
        out.push_str(&notes);
        out.push('\n');
    }
    out
}

/// What a run that did not converge left to do: a count per kind and region, and what could
/// not be read; the changes themselves are the next plan's to show.
pub fn render_remaining(plan: &Plan, styled: bool) -> String {
    let paint = Paint { styled };
    let mut out = gap_lines(plan);
    let changes: Vec<&Change> = plan.changes.iter().collect();
    if !changes.is_empty() {
        out.push_str(&tally(&changes, &plan.regions, paint));
    }
    out
}

/// The line a plan ends with, Terraform's words.
pub fn summary_line(plan: &Plan) -> String {
    if plan.is_empty() && plan.gaps.is_empty() {
        return "No changes. The account matches the baseline.".to_owned();
    }
    if plan.is_empty() {
        return "No changes in what could be read; the parts above are unknown.".to_owned();
    }
    format!(
        "Plan: {} to add, {} to change, {} to destroy.",
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::Delete)
    )
}

/// One change as the full plan shows it, under `address`: every setting of what is added,
/// each field that changes, the address alone of what is deleted.
pub(super) fn entry_text(change: &Change, address: &str) -> String {
    entry(change, address, Paint { styled: false })
}

fn entry(change: &Change, address: &str, paint: Paint) -> String {
    let mut out = format!("  {} {address}\n", paint.symbol(change.action));
    match change.action {
        Action::Create => {
            let fields = change.spec.field_values();
            let width = fields.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
            for (name, value) in fields {
                let _ = writeln!(out, "      {name:<width$} = {}", show(&value, 8));
            }
        }
        Action::Delete => {}
        Action::Update => {
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
    out
}

pub(super) fn gap_text(gap: &Gap) -> String {
    format!(
        "{}: could not read ({}): {}; its resources are left out of this plan",
        gap.place, gap.call, gap.reason
    )
}

pub(super) fn gap_lines(plan: &Plan) -> String {
    let gaps = plan.gaps.iter().map(|gap| {
        let id = address_at_start(&gap.place);
        (id, gap_text(gap))
    });
    let mut out = String::new();
    for line in said_once(gaps) {
        let _ = writeln!(out, "{}", wrapped(&line.text("! ", &plan.regions), 2));
        // Gaps said as one line differ only in their region: the first one's hint is theirs.
        if let Some(hint) = &plan.gaps[line.first].hint {
            let _ = writeln!(out, "{}", wrapped(&format!("  hint: {hint}"), 8));
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

pub(super) fn note_lines(plan: &Plan, styled: bool) -> String {
    let paint = Paint { styled };
    let notes = plan
        .notes
        .iter()
        .map(|note| (address_at_start(note), note.clone()));
    let mut out = String::new();
    for line in said_once(notes) {
        let text = wrapped(&line.text("note: ", &plan.regions), 6);
        let _ = writeln!(out, "{}", paint.paint(NOTE, &text));
    }
    out
}

/// Updates and deletes in full, in the plan's order. Updates that change the same fields in
/// the same way on one resource in several regions are shown once, naming the regions;
/// deletes each get their own entry, as each is a thing that goes.
fn shown_in_full(changes: &[&Change], regions: &[String], paint: Paint) -> Vec<String> {
    let entries = changes.iter().map(|change| {
        let text = entry_text(change, &change.id.to_string());
        let id = (change.action == Action::Update).then(|| change.id.clone());
        (id, text)
    });
    said_once(entries)
        .into_iter()
        .map(|entry| {
            let (head, body) = entry.text.split_once('\n').unwrap_or((&entry.text, ""));
            let head = match entry.regions.as_slice() {
                [] | [_] => head.to_owned(),
                many => wrapped(&format!("{head} in {}", regions_phrase(many, regions)), 6),
            };
            let action = changes[entry.first].action;
            let plain = Paint { styled: false }.symbol(action);
            let head = head.replacen(&plain, &paint.symbol(action), 1);
            format!("{head}\n{body}")
        })
        .collect()
}

/// A count of `changes` per action and kind, in the order they first appear, each with the
/// regions it covers.
fn tally(changes: &[&Change], regions: &[String], paint: Paint) -> String {
    let groups = by_kind(changes);
    let width = groups
        .iter()
        .map(|group| group.kind.as_str().len())
        .max()
        .unwrap_or(0);
    let count_width = groups
        .iter()
        .map(|group| group.changes.len().to_string().len())
        .max()
        .unwrap_or(0);
    let indent = 2 + 2 + width + 2 + count_width + 2;
    let mut out = String::new();
    for group in &groups {
        let place = group.placed(regions);
        let mut rows = wrap(&place, WIDTH.saturating_sub(indent).max(40)).into_iter();
        let _ = writeln!(
            out,
            "  {} {:<width$}  {:>count_width$}  {}",
            paint.symbol(group.action),
            group.kind.as_str(),
            group.changes.len(),
            rows.next().unwrap_or_default()
        );
        for row in rows {
            let _ = writeln!(out, "{:indent$}{row}", "");
        }
    }
    out
}

/// The changes of one action on one kind.
pub(super) struct KindGroup<'a> {
    pub action: Action,
    pub kind: Kind,
    pub changes: Vec<&'a Change>,
}

/// `changes` grouped by action and kind, in the order each group first appears.
pub(super) fn by_kind<'a>(changes: &[&'a Change]) -> Vec<KindGroup<'a>> {
    let mut groups: Vec<KindGroup<'a>> = Vec::new();
    for change in changes {
        let key = (change.action, change.id.kind);
        match groups.iter_mut().find(|g| (g.action, g.kind) == key) {
            Some(group) => group.changes.push(change),
            None => groups.push(KindGroup {
                action: key.0,
                kind: key.1,
                changes: vec![change],
            }),
        }
    }
    groups
}

impl KindGroup<'_> {
    /// Where the changes are: the region when there is one, else the regions grouped by how
    /// many each gets, the largest group last and, when the groups cover the plan's
    /// `regions`, named as "each other region".
    pub fn placed(&self, regions: &[String]) -> String {
        let mut per_region: BTreeMap<&str, usize> = BTreeMap::new();
        for change in &self.changes {
            *per_region.entry(change.id.region.as_str()).or_default() += 1;
        }
        if let [(region, _)] = per_region.iter().collect::<Vec<_>>().as_slice() {
            return (**region).to_owned();
        }
        let mut groups: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
        for (region, count) in &per_region {
            groups.entry(*count).or_default().push(region);
        }
        let mut groups: Vec<(usize, Vec<&str>)> = groups.into_iter().collect();
        groups.sort_by_key(|(count, places)| (places.len(), std::cmp::Reverse(*count)));
        let covers_plan = per_region.len() == regions.len()
            && regions
                .iter()
                .all(|region| per_region.contains_key(region.as_str()));
        let last = groups.len() - 1;
        let parts: Vec<String> = groups
            .iter()
            .enumerate()
            .map(|(at, (count, places))| {
                let each = if *count == 1 {
                    "one".to_owned()
                } else {
                    count.to_string()
                };
                match places.as_slice() {
                    [region] => format!("{each} in {region}"),
                    _ if at == last && covers_plan && last == 0 => format!("{each} in each region"),
                    _ if at == last && covers_plan => format!("{each} in each other region"),
                    _ => format!("{each} in each of {}", places.join(", ")),
                }
            })
            .collect();
        parts.join("; ")
    }
}

/// A line that says the same of one kind's resource in several regions, once.
struct SaidOnce {
    /// The line, with the address it speaks of written `kind/*[/name]` when it stands for
    /// several regions.
    text: String,
    regions: Vec<String>,
    /// Which of the lines given first said it.
    first: usize,
}

impl SaidOnce {
    fn text(&self, prefix: &str, plan_regions: &[String]) -> String {
        match self.regions.as_slice() {
            [] | [_] => format!("{prefix}{}", self.text),
            many => format!(
                "{prefix}{} (in {})",
                self.text,
                regions_phrase(many, plan_regions)
            ),
        }
    }
}

/// Lines that differ only in the region of the address they speak of, as one line naming
/// the regions, where the first of them stood. A line said in one region only is kept as it
/// was.
fn said_once(lines: impl IntoIterator<Item = (Option<ResourceId>, String)>) -> Vec<SaidOnce> {
    let mut said: Vec<(SaidOnce, String)> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (first, (id, line)) in lines.into_iter().enumerate() {
        let Some(id) = id else {
            let once = SaidOnce {
                text: line.clone(),
                regions: Vec::new(),
                first,
            };
            said.push((once, line));
            continue;
        };
        let mut any_region = id.clone();
        any_region.region = "*".to_owned();
        let general = line.replace(&id.to_string(), &any_region.to_string());
        match index.get(&general) {
            Some(&at) => said[at].0.regions.push(id.region),
            None => {
                index.insert(general.clone(), said.len());
                let once = SaidOnce {
                    text: general,
                    regions: vec![id.region],
                    first,
                };
                said.push((once, line));
            }
        }
    }
    said.into_iter()
        .map(|(once, line)| {
            if once.regions.len() > 1 {
                once
            } else {
                SaidOnce { text: line, ..once }
            }
        })
        .collect()
}

/// `each of the 20 regions` when `these` are all the plan's, else `3 regions: a, b, c`.
fn regions_phrase(these: &[String], plan_regions: &[String]) -> String {
    let mut sorted: Vec<&String> = these.iter().collect();
    sorted.sort();
    let mut all: Vec<&String> = plan_regions.iter().collect();
    all.sort();
    if sorted == all {
        format!("each of the {} regions", these.len())
    } else {
        let names: Vec<&str> = sorted.iter().map(|region| region.as_str()).collect();
        format!("{} regions: {}", these.len(), names.join(", "))
    }
}

/// The resource address a note or a gap starts with (`kind/region[/name]`), if it does.
fn address_at_start(text: &str) -> Option<ResourceId> {
    let token = text.split(' ').next()?.trim_end_matches([':', ',']);
    let mut parts = token.splitn(3, '/');
    let kind = Kind::from_name(parts.next()?)?;
    let region = parts.next().filter(|region| !region.is_empty())?;
    let name = parts.next().unwrap_or_default();
    Some(ResourceId::new(kind, region, name))
}

/// `text` wrapped at the compact plan's width, keeping its own indent on the first row and
/// indenting the rows after it by `indent`.
pub(super) fn wrapped(text: &str, indent: usize) -> String {
    let words = text.trim_start();
    let lead = &text[..text.len() - words.len()];
    let pad = " ".repeat(indent);
    let width = WIDTH.saturating_sub(indent.max(lead.len())).max(40);
    wrap(words, width)
        .iter()
        .enumerate()
        .map(|(at, row)| {
            if at == 0 {
                format!("{lead}{row}")
            } else {
                format!("{pad}{row}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Words into rows of at most `width` characters (a longer word gets a row of its own).
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut rows = Vec::new();
    let mut row = String::new();
    for word in text.split(' ') {
        if !row.is_empty() && row.chars().count() + 1 + word.chars().count() > width {
            rows.push(std::mem::take(&mut row));
        }
        if !row.is_empty() {
            row.push(' ');
        }
        row.push_str(word);
    }
    rows.push(row);
    rows
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
