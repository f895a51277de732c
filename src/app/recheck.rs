//! `sdconform recheck DIR [--profile P] [--schemas DIR] [--cases DIR] [--waivers FILE]
//! [--report-dir OUT]`: the run's report re-derived from `DIR/exchanges.ndjson`,
//! written to OUT (default `DIR/recheck`) like a run's, with the exit code of its verdict.

use super::{Printing, deliver};
use crate::cli::RecheckArgs;
use crate::console;
use crate::error::Error;
use crate::exit::Exit;
use crate::recheck::{self, Inputs, WaiversInput};
use crate::report::exchanges::FILE_NAME;
use crate::report::lock::DirLock;
use crate::report::write::Format;
use crate::secret::Secrets;

/// Runs `recheck`.
pub(super) fn recheck(args: &RecheckArgs, printing: Printing) -> Result<Exit, Error> {
    let inputs = Inputs {
        recording: args.dir.join(FILE_NAME),
        profile: args.profile,
        schemas: args.schemas.clone(),
        cases: args.cases.clone(),
        waivers: args.waivers.as_ref().map(|path| WaiversInput {
            name: path.display().to_string(),
            path: path.clone(),
        }),
    };
    let out = args
        .report_dir
        .clone()
        .unwrap_or_else(|| args.dir.join("recheck"));
    if out == args.dir {
        return Err(Error::Usage(format!(
            "--report-dir {} is the run's own directory: its report.json is the evidence a recheck is compared with; choose another",
            out.display()
        )));
    }
    let lock = DirLock::acquire(&out).map_err(Error::ReportDir)?;
    let rechecked = recheck::recheck(&inputs).map_err(Error::Recheck)?;
    for note in &rechecked.notes {
        console::err(&format!("note: {note}"));
    }
    printing.say(&format!(
        "recheck: {} exchange(s) of the {} started {} against {}, no request sent",
        rechecked.exchanges,
        rechecked.run.command,
        rechecked.run.started_at,
        rechecked.run.target.url
    ));
    // A recording holds no secret; nothing to scrub but the check stays.
    let secrets = Secrets::new();
    deliver::show(&rechecked.report, &secrets, printing)?;
    let mut written = Vec::new();
    let result = deliver::write(
        &out,
        &rechecked.report,
        &rechecked.formats,
        &secrets,
        printing,
        &mut written,
    );
    let written: Vec<&str> = written.iter().map(String::as_str).collect();
    lock.remove_stale(&Format::ALL.map(Format::file_name), &written);
    result?;
    Ok(super::exit_of(rechecked.report.verdict))
}
