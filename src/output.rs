//! Every line watchpost prints goes through here, so that a reader who stops reading ends
//! nothing but the output. `println!` panics when stdout is a closed pipe (`watchpost plan |
//! head`); these writers do not. As cargo's `drop_println!` and ripgrep do, a closed stdout is
//! not an error: the rest of the output is dropped and the command finishes with its own exit
//! code (a plan's 0 or 2). A process killed by SIGPIPE (141) would instead stop an `apply`
//! between two changes with its lease held, and fail every `set -o pipefail` script that
//! pipes a plan into `head`. Any other failure to write (a full disk) is reported at the end
//! and makes the run exit 1. clippy.toml forbids the std printing macros everywhere else.

use std::fmt;
use std::io::{ErrorKind, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDOUT_FAILED: Mutex<Option<String>> = Mutex::new(None);

/// Writes to stdout through anstream, which strips colour where it is not wanted.
pub fn stdout(text: fmt::Arguments<'_>) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = anstream::stdout().lock();
    let written = out.write_fmt(text).and_then(|()| out.flush());
    if let Err(error) = written {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if error.kind() != ErrorKind::BrokenPipe {
            let mut failed = STDOUT_FAILED.lock().unwrap_or_else(|p| p.into_inner());
            failed.get_or_insert_with(|| error.to_string());
        }
    }
}

/// Writes to stderr; a failure has nowhere to be reported, and is ignored.
pub fn stderr(text: fmt::Arguments<'_>) {
    let mut err = anstream::stderr().lock();
    let _ = err.write_fmt(text).and_then(|()| err.flush());
}

/// Whether everything written to stdout reached it: false once a reader closed it.
pub fn stdout_whole() -> bool {
    !STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Why stdout could not be written, other than its reader closing it.
pub fn stdout_failure() -> Option<String> {
    STDOUT_FAILED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

/// `print!` to stdout, quietly dropped once its reader is gone.
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::stdout(format_args!($($arg)*)) };
}

/// `println!` to stdout, quietly dropped once its reader is gone.
macro_rules! outln {
    () => { $crate::output::stdout(format_args!("\n")) };
    ($($arg:tt)*) => {
        $crate::output::stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {errln, out, outln};
