//! `exchanges.ndjson`: every exchange of a run, as evidence (issue 12). The
//! line format is `model::ExchangeLine` (`schemas/exchange.schema.json`);
//! `capture::ndjson` reads it back.
//!
//! `writer` streams the lines to the file, scrubbed of secrets, with
//! `--redact-field` blanks, identical bodies stored once and a byte budget;
//! `field` is the `--redact-field` pattern and the blanking; `recording` is
//! one run's writer as the `http::Recorder` the client carries, between the
//! run's header line and its end line (`model::RunHeader`, `model::RunEnd`).
//!
//! ```json
//! {"schema_version":"1.0","seq":0,"source":{"case":"list-all"},"request":{...},
//!  "response":{"status":200,"headers":[...],"body":{"size":4879,"sha256":"...","encoding":"utf-8","text":"..."}}}
//! {"schema_version":"1.0","seq":1,"source":{"case":"filter-prefix-server"},"request":{...},
//!  "response":{"status":200,"headers":[...],"body":{"size":4879,"sha256":"...","same_as":0}}}
//! ```

pub mod field;
pub mod recording;
pub mod writer;

pub use field::FieldPattern;
pub use recording::Recording;
pub use writer::{
    DEFAULT_RECORD_BYTES, ExchangeWriter, FILE_NAME, RecordError, RecordSettings, RecordSummary,
    Sent,
};
