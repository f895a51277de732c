//! The one integration test binary: the real `sdconform` binary against the
//! embedded reference target, clean and with every fault switched on.

mod adversary;
mod browser;
mod cli;
mod faults;
mod fuzz;
mod hostile;
mod input;
mod layering;
mod reports;
mod support;
mod trust;
