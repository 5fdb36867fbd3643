//! The plan as a pull-request comment (`plan --format markdown`), as reviewers read Terraform
//! plans that tfcmt or Atlantis post: the summary first, what would be destroyed called out,
//! the cost, then the changes grouped by action and kind in collapsible sections, within
//! GitHub's limit for a comment.

use std::fmt::Write;

use super::render::{KindGroup, by_kind, entry_text, gap_lines, note_lines, summary_line};
use super::{AccountReport, Action, Change, Plan, cost_line};

/// The most characters GitHub takes in a comment.
pub const COMMENT_LIMIT: usize = 65_536;

/// Deletes named in the callout at the top; the rest are in their sections below.
const CALLED_OUT: usize = 50;

/// Room kept at the end for the note that says the comment was cut.
const CUT_NOTE_ROOM: usize = 400;

/// The run's plans as one comment of at most [`COMMENT_LIMIT`] characters.
pub fn render_markdown(accounts: &[AccountReport<'_>]) -> String {
    render_within(accounts, COMMENT_LIMIT)
}

/// How much of each added resource the sections show.
#[derive(Clone, Copy, PartialEq)]
enum Added {
    WithSettings,
    AddressOnly,
}

/// A piece of the comment: prose, or one kind's changes folded under a line that counts
/// them, which a cut can end early.
enum Block {
    Text(String),
    Section {
        summary: String,
        entries: Vec<String>,
    },
}

impl Block {
    /// The changes it shows.
    fn changes(&self) -> usize {
        match self {
            Block::Text(_) => 0,
            Block::Section { entries, .. } => entries.len(),
        }
    }

    fn render(&self) -> String {
        match self {
            Block::Text(text) => text.clone(),
            Block::Section { entries, .. } => self.render_first(entries.len()),
        }
    }

    /// The section with only its first `shown` entries; prose whole.
    fn render_first(&self, shown: usize) -> String {
        match self {
            Block::Text(text) => text.clone(),
            Block::Section { summary, entries } => {
                let cut = if shown < entries.len() {
                    format!(", the first {shown} shown")
                } else {
                    String::new()
                };
                format!(
                    "<details><summary>{summary}{cut}</summary>\n\n{}\n</details>\n",
                    fenced("diff", entries[..shown].concat().trim_end())
                )
            }
        }
    }
}

/// The whole comment if it fits in `limit` characters; else without the settings of what is
/// added; else as much as fits, in order, ending with a note that says what is left out.
pub(super) fn render_within(accounts: &[AccountReport<'_>], limit: usize) -> String {
    let length = |text: &str| text.chars().count();
    let whole = join(&blocks(accounts, Added::WithSettings));
    if length(&whole) <= limit {
        return whole;
    }
    let blocks = blocks(accounts, Added::AddressOnly);
    let brief = join(&blocks);
    let note = "> [!NOTE]\n> What is added is listed by address, without its settings, to stay \
        within GitHub's limit for a comment; `watchpost plan --full` shows them.\n";
    if length(&brief) + 1 + length(note) <= limit {
        return format!("{brief}\n{note}");
    }
    let total: usize = blocks.iter().map(Block::changes).sum();
    let room = limit - CUT_NOTE_ROOM;
    let mut kept: Vec<String> = Vec::new();
    let mut used = 0;
    let mut shown = 0;
    for block in &blocks {
        let text = block.render();
        if used + length(&text) < room {
            used += length(&text) + 1;
            shown += block.changes();
            kept.push(text);
            continue;
        }
        // The section that does not fit shows the entries that do: the most for which it is
        // short enough, found by bisection, as its length grows with each entry.
        let fits = |first: usize| used + length(&block.render_first(first)) < room;
        let (mut most, mut too_many) = (0, block.changes());
        while most + 1 < too_many {
            let middle = (most + too_many) / 2;
            if fits(middle) {
                most = middle;
            } else {
                too_many = middle;
            }
        }
        if most > 0 && fits(most) {
            shown += most;
            kept.push(block.render_first(most));
        }
        break;
    }
    let mut out = kept.join("\n");
    let _ = write!(
        out,
        "\n> [!NOTE]\n> **The plan is cut here** to stay within GitHub's limit of {COMMENT_LIMIT} \
         characters for a comment: {} of its {total} change(s) are not shown. \
         `watchpost plan --full` shows all of them.\n",
        total - shown
    );
    out
}

fn join(blocks: &[Block]) -> String {
    blocks
        .iter()
        .map(Block::render)
        .collect::<Vec<_>>()
        .join("\n")
}

fn blocks(accounts: &[AccountReport<'_>], added: Added) -> Vec<Block> {
    let mut blocks = Vec::new();
    let heading = if let [account] = accounts {
        format!("### watchpost plan for account `{}`\n", account.account_id)
    } else {
        format!(
            "### watchpost plan for {} accounts\n\n**{}**\n",
            accounts.len(),
            fleet_summary(accounts)
        )
    };
    blocks.push(Block::Text(heading));
    for account in accounts {
        if accounts.len() > 1 {
            blocks.push(Block::Text(format!(
                "#### Account `{}`\n",
                account.account_id
            )));
        }
        match &account.plan {
            Ok(plan) => account_blocks(plan, account, added, &mut blocks),
            Err(error) => blocks.push(Block::Text(format!(
                "**Could not be planned:**\n\n{}",
                fenced("text", error)
            ))),
        }
    }
    blocks
}

fn account_blocks(plan: &Plan, account: &AccountReport<'_>, added: Added, blocks: &mut Vec<Block>) {
    let mut top = format!("**{}**\n", summary_line(plan));
    let _ = writeln!(
        top,
        "\nRegions: {} (home region {}).",
        plan.regions.join(", "),
        plan.home_region
    );
    let deletes: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|change| change.action == Action::Delete)
        .collect();
    if !deletes.is_empty() {
        let _ = writeln!(top, "\n> [!CAUTION]\n> **{} to destroy:**", deletes.len());
        for change in deletes.iter().take(CALLED_OUT) {
            let _ = writeln!(top, "> - `{}`", change.id);
        }
        if deletes.len() > CALLED_OUT {
            let _ = writeln!(
                top,
                "> - and {} more, in the sections below",
                deletes.len() - CALLED_OUT
            );
        }
    }
    if !plan.gaps.is_empty() {
        let gaps = gap_lines(plan);
        let quoted: String = fenced("text", gaps.trim_end())
            .lines()
            .map(|line| format!("> {line}\n"))
            .collect();
        let _ = write!(
            top,
            "\n> [!WARNING]\n> **{} part(s) of the account could not be read**, and what they \
             hold is left out of this plan:\n>\n{quoted}",
            plan.gaps.len()
        );
    }
    if let Some(cost) = account.cost {
        let _ = writeln!(top, "\n{}", cost_line(cost));
    }
    blocks.push(Block::Text(top));
    let changes: Vec<&Change> = plan.changes.iter().collect();
    let mut groups = by_kind(&changes);
    groups.sort_by_key(|group| match group.action {
        Action::Delete => 0,
        Action::Update => 1,
        Action::Create => 2,
    });
    for group in &groups {
        blocks.push(section(group, &plan.regions, added));
    }
    if !plan.notes.is_empty() {
        blocks.push(Block::Text(format!(
            "<details><summary>Notes ({})</summary>\n\n{}\n</details>\n",
            plan.notes.len(),
            fenced("text", note_lines(plan, false).trim_end())
        )));
    }
}

/// One kind's changes, folded under a line that counts them.
fn section(group: &KindGroup<'_>, regions: &[String], added: Added) -> Block {
    let (verb, symbol) = match group.action {
        Action::Create => ("add", "+"),
        Action::Update => ("change", "~"),
        Action::Delete => ("destroy", "-"),
    };
    let entries = group
        .changes
        .iter()
        .map(|change| {
            if change.action == Action::Create && added == Added::AddressOnly {
                return format!("+ {}\n", change.id);
            }
            // Two spaces fewer than the text plan, so that the diff colours the `+` and `-`.
            entry_text(change, &change.id.to_string())
                .lines()
                .map(|line| format!("{}\n", line.strip_prefix("  ").unwrap_or(line)))
                .collect()
        })
        .collect();
    Block::Section {
        summary: format!(
            "{symbol} {}: {} to {verb}, {}",
            group.kind,
            group.changes.len(),
            group.placed(regions)
        ),
        entries,
    }
}

/// `text` in a fenced code block whose fence no run of backticks in it can close.
fn fenced(language: &str, text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{language}\n{text}\n{fence}\n")
}

fn fleet_summary(accounts: &[AccountReport<'_>]) -> String {
    let plans: Vec<&Plan> = accounts
        .iter()
        .filter_map(|account| account.plan.as_ref().ok().copied())
        .collect();
    let sum = |action| plans.iter().map(|plan| plan.count(action)).sum::<usize>();
    let failed = accounts.len() - plans.len();
    format!(
        "Plan: {} to add, {} to change, {} to destroy, over {} account(s){}.",
        sum(Action::Create),
        sum(Action::Update),
        sum(Action::Delete),
        accounts.len(),
        if failed > 0 {
            format!("; {failed} could not be planned")
        } else {
            String::new()
        }
    )
}
