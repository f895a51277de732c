//! The one integration test binary: the real `sdconform` binary against the
//! embedded reference target, clean and with every fault switched on.

mod cli;
mod faults;
mod support;
