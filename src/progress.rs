//! What a person at a terminal sees while watchpost waits on AWS: for each account, the regions
//! read of the total, then the changes made of the total. Drawn on stderr by indicatif, and
//! only where stderr is a terminal, the output is not for a machine (`--json`), and `--quiet`
//! was not given; anywhere else nothing of it is written, not even a carriage return. One
//! display for the process, as there is one terminal.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

static DISPLAY: OnceLock<Option<MultiProgress>> = OnceLock::new();

/// Decides once, before any output, whether progress is shown.
pub fn init(wanted: bool) {
    let shown = wanted && std::io::stderr().is_terminal();
    let _ =
        DISPLAY.set(shown.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())));
}

fn display() -> Option<&'static MultiProgress> {
    DISPLAY.get().and_then(Option::as_ref)
}

/// Whether progress is shown: the per-change lines of `apply` are part of it.
pub fn shown() -> bool {
    display().is_some()
}

/// A line of progress above the bars, on stderr; nothing when progress is not shown.
pub fn line(text: &str) {
    if let Some(display) = display() {
        let _ = display.println(text);
    }
}

fn bar(total: usize, template: &str) -> ProgressBar {
    let Some(display) = display() else {
        return ProgressBar::hidden();
    };
    let bar = display.add(ProgressBar::new(total as u64));
    bar.set_style(
        ProgressStyle::with_template(template)
            .expect("the template is valid")
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// One account being read: a region counts as done once all its reads have answered.
pub struct Reading {
    bar: ProgressBar,
    pending: Mutex<HashMap<String, usize>>,
}

impl Reading {
    /// `reads` holds the region of each read to be made.
    pub fn start<'a>(account_id: &str, reads: impl IntoIterator<Item = &'a str>) -> Reading {
        let mut pending: HashMap<String, usize> = HashMap::new();
        for region in reads {
            *pending.entry(region.to_owned()).or_default() += 1;
        }
        let bar = bar(
            pending.len(),
            "{spinner} reading account {prefix}: {pos}/{len} regions [{bar:20}] {msg}",
        );
        bar.set_prefix(account_id.to_owned());
        Reading {
            bar,
            pending: Mutex::new(pending),
        }
    }

    /// More reads, known after the reading started: the regions out of scope to read are
    /// known once the record of covered regions is read.
    pub fn add<'a>(&self, reads: impl IntoIterator<Item = &'a str>) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        for region in reads {
            let left = pending.entry(region.to_owned()).or_default();
            if *left == 0 {
                self.bar.inc_length(1);
            }
            *left += 1;
        }
    }

    pub fn read_done(&self, region: &str) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(left) = pending.get_mut(region) {
            *left -= 1;
            if *left == 0 {
                pending.remove(region);
                self.bar.inc(1);
                let mut waiting: Vec<&str> = pending.keys().map(String::as_str).collect();
                waiting.sort();
                self.bar.set_message(match waiting.as_slice() {
                    [] => String::new(),
                    [one] => format!("waiting on {one}"),
                    [first, rest @ ..] => format!("waiting on {first} and {} more", rest.len()),
                });
            }
        }
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// One account's changes being made.
pub struct Changing {
    bar: ProgressBar,
}

impl Changing {
    pub fn start(account_id: &str, verb: &str, changes: usize) -> Changing {
        let bar = bar(
            changes,
            "{spinner} {msg} account {prefix}: {pos}/{len} changes [{bar:20}]",
        );
        bar.set_prefix(account_id.to_owned());
        bar.set_message(verb.to_owned());
        Changing { bar }
    }

    pub fn change_done(&self) {
        self.bar.inc(1);
    }
}

impl Drop for Changing {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
