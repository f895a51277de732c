//! The one integration test binary: the real `sdconform` binary against the
//! embedded reference target, clean and with every fault switched on.

mod adversary;
mod browser;
mod cli;
mod cloud;
mod faults;
mod fixtures;
mod fuzz;
mod hostile;
mod input;
mod keystone;
mod layering;
mod reports;
mod support;
