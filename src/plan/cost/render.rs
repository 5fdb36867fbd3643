//! The estimate as the end of a text plan, and as the `cost` of an account in `plan --json`.

use std::fmt::Write;

use serde_json::{Value, json};

use super::prices::{PRICE_REGION, PRICES_READ_ON};
use super::{Estimate, Money};
use crate::plan::render::{wrap, wrapped};

/// Columns a line of the estimate is wrapped at.
const WIDTH: usize = 100;

/// The estimate as text: one line per part, then the total, which is what a reviewer reads
/// last.
pub fn render_cost(estimate: &Estimate) -> String {
    let mut out = String::from("Cost estimate, per month (an estimate, not a quote):\n");
    let figures: Vec<String> = estimate
        .lines
        .iter()
        .map(|line| {
            let figure = dollars(line.cost);
            if line.recurring {
                figure
            } else {
                format!("{figure} once")
            }
        })
        .collect();
    let width = figures.iter().map(|f| f.chars().count()).max().unwrap_or(0);
    for (line, figure) in estimate.lines.iter().zip(&figures) {
        let indent = 2 + width + 2;
        let text = format!("{}: {}", line.service, line.text);
        let mut rows = wrap(&text, WIDTH.saturating_sub(indent).max(40)).into_iter();
        let first = rows.next().unwrap_or_default();
        let _ = writeln!(out, "  {figure:<width$}  {first}");
        for row in rows {
            let _ = writeln!(out, "{:indent$}{row}", "");
        }
    }
    for (what, unread) in &estimate.unread {
        let note = format!(
            "note: the estimate assumes {what}: {} failed: {}",
            unread.call,
            first_line(&unread.reason)
        );
        // Indented under its first word, as the plan's own notes are.
        let _ = writeln!(out, "{}", wrapped(&note, 6));
    }
    out.push('\n');
    for row in wrap(&cost_line(estimate), WIDTH) {
        let _ = writeln!(out, "{row}");
    }
    let basis = format!(
        "List prices of {PRICE_REGION} read on {PRICES_READ_ON} (docs/costs.md names their sources); what this plan read from the account; and the assumptions named above, which are guesses: replace them with your own figures, or read GuardDuty's Usage page and the billing console once the baseline runs."
    );
    for row in wrap(&basis, WIDTH) {
        let _ = writeln!(out, "{row}");
    }
    out
}

/// The estimate's total in one sentence, as the text plan ends with it and the markdown plan
/// gives it.
pub fn cost_line(estimate: &Estimate) -> String {
    let mut total = format!("Estimated cost: {} a month", dollars(estimate.monthly()));
    let unbounded = estimate.unbounded();
    if unbounded > 0 {
        let _ = write!(
            total,
            ", plus what the {unbounded} line(s) marked \"and up\" come to, which only the account's workloads decide"
        );
    }
    let extra = estimate.first_month_extra();
    if extra.high.is_some_and(|high| high > 0.0) {
        let _ = write!(total, "; the first month adds {}", dollars(extra));
    }
    total.push('.');
    total
}

/// The estimates of several accounts, added up as each account is planned, for the one line of
/// a run's summary.
pub struct CostTotal {
    monthly: Money,
    unbounded: usize,
    accounts: usize,
}

impl Default for CostTotal {
    fn default() -> Self {
        CostTotal {
            monthly: Money::range(0.0, 0.0),
            unbounded: 0,
            accounts: 0,
        }
    }
}

impl CostTotal {
    pub fn add(&mut self, estimate: &Estimate) {
        let account = estimate.monthly();
        self.monthly.low += account.low;
        self.monthly.high = self.monthly.high.zip(account.high).map(|(a, b)| a + b);
        self.unbounded += estimate.unbounded();
        self.accounts += 1;
    }

    pub fn render(&self) -> String {
        let mut line = format!(
            "Estimated cost over {} account(s): {} a month",
            self.accounts,
            dollars(self.monthly)
        );
        if self.unbounded > 0 {
            let _ = write!(
                line,
                ", plus the {} line(s) marked \"and up\" above",
                self.unbounded
            );
        }
        line.push_str("; an estimate, not a quote (see each account's).\n");
        line
    }
}

/// The estimate for `plan --json` (docs/json-output.md): amounts in US dollars, to the cent.
pub fn cost_json(estimate: &Estimate) -> Value {
    let range = |money: Money| json!({"low": cents(money.low), "high": money.high.map(cents)});
    json!({
        "currency": "USD",
        "prices_read_on": PRICES_READ_ON,
        "price_region": PRICE_REGION,
        "monthly": range(estimate.monthly()),
        "unbounded_lines": estimate.unbounded(),
        "first_month_extra": range(estimate.first_month_extra()),
        "lines": estimate.lines.iter().map(|line| json!({
            "service": line.service,
            "item": line.item,
            "text": line.text,
            "low": cents(line.cost.low),
            "high": line.cost.high.map(cents),
            "recurring": line.recurring,
            "sources": line.sources,
        })).collect::<Vec<_>>(),
        "not_read": estimate.unread.iter().map(|(what, unread)| json!({
            "what": what,
            "call": unread.call,
            "reason": unread.reason,
        })).collect::<Vec<_>>(),
    })
}

fn cents(usd: f64) -> f64 {
    (usd * 100.0).round() / 100.0
}

/// `$1.20–$34.00`, `$0.00`, or `$0.00 and up`.
fn dollars(money: Money) -> String {
    let low = format!("${:.2}", cents(money.low));
    match money.high {
        None => format!("{low} and up"),
        Some(high) if cents(high) == cents(money.low) => low,
        Some(high) => format!("{low}–${:.2}", cents(high)),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}
