//! The reference target's data: a fixed, conformant list of software deployments.
//!
//! Sits under [`crate::reference`]: the server ([`super::server`]) serves these items in this
//! order, after a [`super::Fault`] (if any) has corrupted them. Deterministic on purpose: tests
//! and the end-to-end run compare whole responses.
//!
//! The data is shaped to catch lazy harnesses, not only lazy targets:
//! - ten deployments over four servers; the first item's server has three, so a filter by it
//!   returns several items (a filter that drops items is visible);
//! - server ids are lowercase UUIDs with hex letters, so flipping their case changes them;
//! - every documented status appears, and the actions CREATE, UPDATE, DELETE, SUSPEND, RESUME;
//! - timestamps mix `Z`, `+00:00`, positive and negative offsets; one item's `updated_time` is
//!   a later instant but a smaller string than its `creation_time`, so comparing timestamps as
//!   strings gives the wrong answer; two items were never updated (`updated_time ==
//!   creation_time`).
//!
//! The first item is the document's own example, except that `input_values` is an object
//! (the example's `null` is only accepted by the `documented` and `lenient` profiles):
//!
//! ```json
//! { "status": "COMPLETE", "server_id": "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5",
//!   "config_id": "8da95794-2ad9-4979-8ae5-739ce314c5cd", "action": "CREATE",
//!   "input_values": { "foo": "fu", "bar": "barmy" },
//!   "output_values": { "deploy_stdout": "…", "deploy_stderr": "…", "deploy_status_code": 0,
//!                      "result": "…" },
//!   "status_reason": "Outputs received", "id": "ef422fa5-719a-419e-a10c-72e3a367b0b8",
//!   "creation_time": "2015-01-31T15:12:36Z", "updated_time": "2015-01-31T15:18:21Z" }
//! ```

use serde_json::{Value, json};

/// The server of the document's example; the first three items belong to it.
const SERVER_EXAMPLE: &str = "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5";
/// A server with a failed, an updated and a deleted deployment.
const SERVER_WEB: &str = "6513270e-269e-4d37-b2a7-4de452e6b438";
/// A server whose deployments span a leap day.
const SERVER_DB: &str = "d23f0824-128b-4f33-8c5c-7fd0a6a3a450";
/// A server with a single deployment, the last item of the list.
const SERVER_CACHE: &str = "9531985d-5d9d-49f8-9818-e811892f902b";

/// `n` generated deployments for `serve --fixture-size N` and the benchmarks:
/// valid under every profile, varied (every status, five actions, offsets
/// `Z`, `+hh:mm` and `-hh:mm`, 1 to 4 input values, outputs of several
/// sizes), spread over `max(1, n / 10)` servers, and deterministic: item `i`
/// is always the same.
pub fn generated(n: usize) -> Vec<Value> {
    (0..n).map(|i| generated_item(i, n)).collect()
}

fn generated_item(i: usize, n: usize) -> Value {
    const STATUSES: [&str; 3] = ["COMPLETE", "IN_PROGRESS", "FAILED"];
    const ACTIONS: [&str; 5] = ["CREATE", "UPDATE", "DELETE", "SUSPEND", "RESUME"];
    const OFFSETS: [&str; 4] = ["Z", "+00:00", "+05:30", "-08:00"];
    const REASONS: [&str; 3] = [
        "Outputs received",
        "Deploy data available",
        "deploy_status_code : Deployment exited with non-zero status code: 1",
    ];
    let servers = (n / 10).max(1);
    let server = i % servers;
    // A day per item from 2015-01-01, cycling through 2015..2024 (no Feb 29 needed).
    let day = i % 3650;
    let (year, month, dom) = (
        2015 + day / 365,
        1 + (day % 365) / 31 % 12,
        1 + (day % 365) % 28,
    );
    let (hour, minute, second) = (i % 20, (i / 20) % 60, (i / 1200) % 60);
    let offset = OFFSETS[i % OFFSETS.len()];
    let created =
        format!("{year:04}-{month:02}-{dom:02}T{hour:02}:{minute:02}:{second:02}{offset}");
    // Updated 0 to 3 hours later the same day, same offset.
    let updated = format!(
        "{year:04}-{month:02}-{dom:02}T{:02}:{minute:02}:{second:02}{offset}",
        hour + i % 4
    );
    let inputs: serde_json::Map<String, Value> = (0..1 + i % 4)
        .map(|k| (format!("input_{k}"), json!(format!("value {i}.{k}"))))
        .collect();
    let stdout = "Written to /tmp/barmy\n".repeat(1 + i % 5);
    json!({
        "status": STATUSES[i % STATUSES.len()],
        "server_id": format!("5e{server:06x}-0000-4000-8000-{server:012x}"),
        "config_id": format!("c0{i:06x}-0000-4000-8000-{i:012x}"),
        "output_values": {
            "deploy_stdout": stdout,
            "deploy_stderr": "",
            "deploy_status_code": i % 2,
            "result": format!("deployment {i} on server {server}")
        },
        "input_values": inputs,
        "action": ACTIONS[i % ACTIONS.len()],
        "status_reason": REASONS[i % REASONS.len()],
        "id": format!("de{i:06x}-0000-4000-8000-{i:012x}"),
        "creation_time": created,
        "updated_time": updated
    })
}

/// The reference target's software deployments, in the order it serves them.
///
/// Every item has every field of the contract's response table, with the table's types.
pub fn deployments() -> Vec<Value> {
    vec![
        // The document's example (input_values made an object, see the module docs).
        json!({
            "status": "COMPLETE",
            "server_id": SERVER_EXAMPLE,
            "config_id": "8da95794-2ad9-4979-8ae5-739ce314c5cd",
            "output_values": {
                "deploy_stdout": "Writing to /tmp/barmy\nWritten to /tmp/barmy\n",
                "deploy_stderr": "+ echo Writing to /tmp/barmy\n+ echo fu\n+ cat /tmp/barmy\n+ echo -n The file /tmp/barmy contains fu for server ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5 during CREATE\n+ echo Written to /tmp/barmy\n+ echo Output to stderr\nOutput to stderr\n",
                "deploy_status_code": 0,
                "result": "The file /tmp/barmy contains fu for server ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5 during CREATE"
            },
            "input_values": { "foo": "fu", "bar": "barmy" },
            "action": "CREATE",
            "status_reason": "Outputs received",
            "id": "ef422fa5-719a-419e-a10c-72e3a367b0b8",
            "creation_time": "2015-01-31T15:12:36Z",
            "updated_time": "2015-01-31T15:18:21Z"
        }),
        json!({
            "status": "COMPLETE",
            "server_id": SERVER_EXAMPLE,
            "config_id": "92276658-1e27-41c0-8a6a-63ec24ede6a4",
            "output_values": { "deploy_stdout": "", "deploy_stderr": "", "deploy_status_code": 0 },
            "input_values": {
                "deploy_server_id": SERVER_EXAMPLE,
                "deploy_action": "UPDATE",
                "deploy_signal_transport": "CFN_SIGNAL"
            },
            "action": "UPDATE",
            "status_reason": "Outputs received",
            "id": "36f675cc-81e7-4ef5-a8e2-5d940ed90475",
            "creation_time": "2015-02-02T09:30:00+00:00",
            "updated_time": "2015-02-02T09:31:45+00:00"
        }),
        // Never updated: updated_time equals creation_time.
        json!({
            "status": "IN_PROGRESS",
            "server_id": SERVER_EXAMPLE,
            "config_id": "ae97ba94-d0ed-482f-8f6d-05584ef8aa38",
            "output_values": {},
            "input_values": {},
            "action": "SUSPEND",
            "status_reason": "Deploy data available",
            "id": "6b0d549b-6f03-475a-9600-a35a099950d8",
            "creation_time": "2015-02-03T08:00:00-05:00",
            "updated_time": "2015-02-03T08:00:00-05:00"
        }),
        // updated_time is the later instant (14:00Z after 13:12:36Z) but the smaller string.
        json!({
            "status": "FAILED",
            "server_id": SERVER_WEB,
            "config_id": "923a7369-94e3-4f91-9a61-dbe22e44158b",
            "output_values": {
                "deploy_stdout": "",
                "deploy_stderr": "bash: line 1: /opt/app/bin/migrate: No such file or directory\n",
                "deploy_status_code": 127
            },
            "input_values": { "app_version": "1.4.2", "migrate": true },
            "action": "CREATE",
            "status_reason": "deploy_status_code : Deployment exited with non-zero status code: 127",
            "id": "8d116ece-1738-47d9-bd9c-172411e20b8f",
            "creation_time": "2015-01-31T15:12:36+02:00",
            "updated_time": "2015-01-31T14:00:00Z"
        }),
        // Crosses midnight: created on the 10th at -03:00, updated on the 11th in UTC.
        json!({
            "status": "COMPLETE",
            "server_id": SERVER_WEB,
            "config_id": "923a7369-94e3-4f91-9a61-dbe22e44158b",
            "output_values": {
                "deploy_stdout": "migrated 12 tables\n",
                "deploy_stderr": "",
                "deploy_status_code": 0,
                "result": { "tables": 12, "warnings": [] }
            },
            "input_values": {
                "app_version": "1.4.3",
                "migrate": true,
                "options": { "batch_size": 500, "dry_run": false, "targets": ["users", "orders"] }
            },
            "action": "UPDATE",
            "status_reason": "Outputs received",
            "id": "90c192cf-d3ac-44af-8f21-ddb66cad4a26",
            "creation_time": "2015-02-10T23:45:00-03:00",
            "updated_time": "2015-02-11T03:00:00Z"
        }),
        json!({
            "status": "COMPLETE",
            "server_id": SERVER_WEB,
            "config_id": "18f135d2-5f55-4203-b018-50c5a38fd547",
            "output_values": {},
            "input_values": { "deploy_action": "DELETE" },
            "action": "DELETE",
            "status_reason": "Outputs received",
            "id": "a170b338-3926-4059-b28c-105d1fb17c23",
            "creation_time": "2015-03-01T00:00:00+05:30",
            "updated_time": "2015-03-01T00:10:00+05:30"
        }),
        // Created on a real leap day.
        json!({
            "status": "COMPLETE",
            "server_id": SERVER_DB,
            "config_id": "907a70c3-1012-4037-b64c-e4228c38fb29",
            "output_values": { "deploy_stdout": "initdb ok\n", "deploy_stderr": "", "deploy_status_code": 0 },
            "input_values": { "db_name": "heat", "replicas": 2 },
            "action": "CREATE",
            "status_reason": "Outputs received",
            "id": "0fd630f1-f29d-4da9-953f-48f1a09f76b5",
            "creation_time": "2016-02-29T12:00:00Z",
            "updated_time": "2016-03-01T00:00:00+00:00"
        }),
        // Updated one second after creation, across offsets: 10:00-08:00 is 18:00:00Z.
        json!({
            "status": "COMPLETE",
            "server_id": SERVER_DB,
            "config_id": "7f150524-34b9-45df-9e77-69b10f4205b4",
            "output_values": { "deploy_stdout": "", "deploy_stderr": "", "deploy_status_code": 0 },
            "input_values": {},
            "action": "SUSPEND",
            "status_reason": "Outputs received",
            "id": "0cb1e29c-658c-4a14-95e6-0af593bd04cf",
            "creation_time": "2016-03-02T10:00:00-08:00",
            "updated_time": "2016-03-02T18:00:01Z"
        }),
        // Never updated.
        json!({
            "status": "IN_PROGRESS",
            "server_id": SERVER_DB,
            "config_id": "7f150524-34b9-45df-9e77-69b10f4205b4",
            "output_values": {},
            "input_values": { "deploy_action": "RESUME" },
            "action": "RESUME",
            "status_reason": "Deploy data available",
            "id": "8e81973e-0bec-47b0-b898-d190f9ebdacc",
            "creation_time": "2016-03-03T06:00:00+01:00",
            "updated_time": "2016-03-03T06:00:00+01:00"
        }),
        // Across a year boundary.
        json!({
            "status": "FAILED",
            "server_id": SERVER_CACHE,
            "config_id": "c6f87718-6d76-407e-881e-d162ae2eb154",
            "output_values": {
                "deploy_stdout": "",
                "deploy_stderr": "timeout waiting for signal\n",
                "deploy_status_code": 1
            },
            "input_values": { "cache_size_mb": 256 },
            "action": "DELETE",
            "status_reason": "Deployment cancelled.",
            "id": "6b4cb242-4a23-4596-a217-beaddbc496cb",
            "creation_time": "2016-12-31T23:59:59Z",
            "updated_time": "2017-01-01T00:00:59+00:00"
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const FIELDS: [&str; 10] = [
        "action",
        "config_id",
        "creation_time",
        "id",
        "input_values",
        "output_values",
        "server_id",
        "status",
        "status_reason",
        "updated_time",
    ];

    /// Seconds since the epoch of a `CCYY-MM-DDThh:mm:ss±hh:mm` (or `Z`) timestamp, or `None`
    /// if it does not match the contract's pattern or names no real instant.
    fn instant(s: &str) -> Option<i64> {
        let b = s.as_bytes();
        let num = |from: usize, to: usize| -> Option<i64> {
            let part = b.get(from..to)?;
            part.iter().try_fold(0i64, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
            })
        };
        let sep = |at: usize, c: u8| b.get(at) == Some(&c);
        if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
            return None;
        }
        let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
        let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
        let offset = match (b.len(), b.get(19)) {
            (20, Some(b'Z')) => 0,
            (25, Some(&sign @ (b'+' | b'-'))) if sep(22, b':') => {
                let (oh, om) = (num(20, 22)?, num(23, 25)?);
                if oh > 23 || om > 59 {
                    return None;
                }
                let magnitude = oh * 3600 + om * 60;
                if sign == b'+' { magnitude } else { -magnitude }
            }
            _ => return None,
        };
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        if day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        // Days from civil (Howard Hinnant's algorithm).
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (month + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
    }

    fn text<'a>(item: &'a Value, field: &str) -> &'a str {
        item[field].as_str().unwrap_or_default()
    }

    #[test]
    fn instant_parser_agrees_with_known_values() {
        let cases = [
            ("1970-01-01T00:00:00Z", Some(0)),
            ("1970-01-01T01:00:00+01:00", Some(0)),
            ("1969-12-31T19:00:00-05:00", Some(0)),
            ("2016-02-29T00:00:00Z", Some(1_456_704_000)),
            ("2015-02-29T00:00:00Z", None),
            ("2015-01-31T24:00:00Z", None),
            ("2015-01-31T15:12:36+24:00", None),
            ("2015-01-31T15:12:36+0000", None),
            ("2015-01-31 15:12:36Z", None),
            ("2015-01-31T15:12:36.5Z", None),
            ("2015-01-31T15:12:36", None),
            ("2015-13-01T00:00:00Z", None),
        ];
        for (input, expected) in cases {
            assert_eq!(instant(input), expected, "{input}");
        }
    }

    #[test]
    fn has_enough_items_and_servers() {
        let items = deployments();
        assert!(items.len() >= 9, "{} items", items.len());
        let servers: BTreeSet<&str> = items.iter().map(|i| text(i, "server_id")).collect();
        assert!(servers.len() >= 3, "{} servers", servers.len());
        let first = text(&items[0], "server_id");
        let of_first = items
            .iter()
            .filter(|i| text(i, "server_id") == first)
            .count();
        assert!(of_first >= 3, "first server has {of_first} items");
        // duplicate-ids copies item 0's id onto item 1: both must be on the same server.
        assert_eq!(text(&items[1], "server_id"), first);
        // server-id-wrong-type corrupts the last item: it must not be on the first server.
        assert_ne!(text(&items[items.len() - 1], "server_id"), first);
    }

    #[test]
    fn every_item_has_every_field_with_its_type() {
        for (index, item) in deployments().iter().enumerate() {
            let object = item.as_object().expect("item is an object");
            let keys: BTreeSet<&str> = object.keys().map(String::as_str).collect();
            assert_eq!(keys, FIELDS.into_iter().collect(), "item {index}");
            for field in ["action", "config_id", "creation_time", "id", "server_id"] {
                assert!(item[field].is_string(), "item {index} {field}");
            }
            for field in ["status", "status_reason", "updated_time"] {
                assert!(item[field].is_string(), "item {index} {field}");
            }
            assert!(
                item["input_values"].is_object(),
                "item {index} input_values"
            );
            assert!(
                item["output_values"].is_object(),
                "item {index} output_values"
            );
        }
    }

    #[test]
    fn ids_and_server_ids_are_lowercase_uuids() {
        let is_uuid = |s: &str| {
            let groups: Vec<&str> = s.split('-').collect();
            groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
                && groups
                    .iter()
                    .all(|g| g.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')))
        };
        let items = deployments();
        for item in &items {
            for field in ["id", "server_id", "config_id"] {
                assert!(is_uuid(text(item, field)), "{field} {}", item[field]);
            }
            let server = text(item, "server_id");
            assert!(
                server.bytes().any(|c| c.is_ascii_alphabetic()),
                "{server} has no hex letter"
            );
        }
        let ids: BTreeSet<&str> = items.iter().map(|i| text(i, "id")).collect();
        assert_eq!(ids.len(), items.len(), "ids are unique");
    }

    #[test]
    fn covers_every_status_and_the_usual_actions() {
        let items = deployments();
        let statuses: BTreeSet<&str> = items.iter().map(|i| text(i, "status")).collect();
        assert_eq!(
            statuses,
            ["COMPLETE", "FAILED", "IN_PROGRESS"].into_iter().collect()
        );
        let actions: BTreeSet<&str> = items.iter().map(|i| text(i, "action")).collect();
        for action in ["CREATE", "UPDATE", "DELETE", "SUSPEND", "RESUME"] {
            assert!(actions.contains(action), "{action}");
        }
        assert!(items.iter().any(|i| i["input_values"] == json!({})));
        assert!(items.iter().any(|i| i["output_values"] == json!({})));
        assert!(
            items
                .iter()
                .any(|i| i["output_values"]["deploy_status_code"] == json!(0))
        );
    }

    #[test]
    fn timestamps_are_well_formed_and_ordered() {
        let mut suffixes = BTreeSet::new();
        for (index, item) in deployments().iter().enumerate() {
            let (created, updated) = (text(item, "creation_time"), text(item, "updated_time"));
            let c = instant(created).unwrap_or_else(|| panic!("item {index}: {created}"));
            let u = instant(updated).unwrap_or_else(|| panic!("item {index}: {updated}"));
            assert!(u >= c, "item {index}: {updated} before {created}");
            for t in [created, updated] {
                suffixes.insert(match &t[19..] {
                    "Z" => "Z",
                    "+00:00" => "+00:00",
                    s if s.starts_with('+') => "positive",
                    _ => "negative",
                });
            }
        }
        assert_eq!(suffixes.len(), 4, "{suffixes:?}");
    }

    #[test]
    fn one_item_orders_differently_as_strings_and_as_instants() {
        let found = deployments().iter().any(|item| {
            let (created, updated) = (text(item, "creation_time"), text(item, "updated_time"));
            updated < created && instant(updated) > instant(created)
        });
        assert!(found);
    }

    #[test]
    fn generated_items_are_valid_varied_and_deterministic() {
        let contract = crate::contract::Contract::embedded().unwrap_or_else(|e| panic!("{e}"));
        let items = generated(2_000);
        assert_eq!(items, generated(2_000));
        let body = json!({ "software_deployments": items });
        for profile in crate::contract::Profile::ALL {
            assert_eq!(
                contract.validate("software-deployments", profile, &body),
                vec![],
                "{profile}"
            );
        }
        let list = body["software_deployments"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let (findings, _) = crate::check::order::check(list, std::time::Duration::ZERO);
        assert_eq!(findings, vec![]);
        let (findings, _) = crate::check::unique::check(list, crate::check::Severity::Must);
        assert_eq!(findings, vec![]);
        let servers: std::collections::BTreeSet<_> =
            list.iter().map(|i| i["server_id"].to_string()).collect();
        assert_eq!(servers.len(), 200);
        for status in ["COMPLETE", "IN_PROGRESS", "FAILED"] {
            assert!(list.iter().any(|i| i["status"] == status));
        }
    }
}
