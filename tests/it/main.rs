//! The one integration test binary: the real `sdconform` binary against the
//! embedded reference target, clean and with every fault switched on.

mod adversary;
mod browser;
mod cli;
mod console;
mod faults;
mod fuzz;
mod hostile;
mod input;
mod interrupt;
mod layering;
mod reports;
mod support;
