//! The one integration test binary: the real `sdconform` binary against the
//! embedded reference target, clean and with every fault switched on.

mod adversary;
mod browser;
mod bundle;
mod cli;
mod cloud;
mod cloud_run;
mod console;
mod exchanges;
mod faults;
mod fixtures;
mod fuzz;
mod har;
mod hostile;
mod input;
mod interrupt;
mod keystone;
mod layering;
mod passive;
mod recheck;
mod reports;
mod secrets;
mod state;
mod support;
mod trust;
mod verify;
