//! Validating a response body against the contract: each schema error
//! becomes a [`Finding`] citing the clause of the field at fault, and naming
//! the other profiles that would accept it.
//!
//! Part of `contract`, used by `check::evaluate` on every 200 body; pure.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::load::Contract;
use super::profile::Profile;
use super::schema::Compiled;
use super::timestamp;
use crate::jsonfile::{escape, type_names};
use crate::model::Finding;

/// The member of the response body that holds the list.
pub const LIST_KEY: &str = "software_deployments";

impl Contract {
    /// Validates a 200 body against `schema` under `profile`: one finding per
    /// violated clause and location, each naming the other profiles that accept it.
    pub fn validate(&self, schema: &str, profile: Profile, body: &Value) -> Vec<Finding> {
        let Some(per_profile) = self.validators.get(schema) else {
            return vec![Finding::new(
                "SD-RESP-1",
                "schema",
                "",
                format!("a schema named {schema:?}"),
                "none loaded",
                "the case names a schema that is not loaded",
            )];
        };
        self.findings(per_profile, profile, body, &[], |c| Some(&c.whole))
    }

    /// Whether `schema` can validate a list one item at a time ([`Contract::validate_item`]).
    pub fn validates_items(&self, schema: &str) -> bool {
        self.validators
            .get(schema)
            .is_some_and(|per_profile| per_profile.values().all(|c| c.item.is_some()))
    }

    /// Validates the item at `index` of the list, as [`Contract::validate`]
    /// would within the whole body (same pointers, clauses and profiles).
    /// Empty when the schema has no item definition (see [`Contract::validates_items`]).
    pub fn validate_item(
        &self,
        schema: &str,
        profile: Profile,
        index: usize,
        item: &Value,
    ) -> Vec<Finding> {
        let Some(per_profile) = self.validators.get(schema) else {
            return Vec::new();
        };
        let prefix = [LIST_KEY.to_owned(), index.to_string()];
        self.findings(per_profile, profile, item, &prefix, |c| c.item.as_ref())
    }

    fn findings(
        &self,
        per_profile: &BTreeMap<Profile, Compiled>,
        profile: Profile,
        instance: &Value,
        prefix: &[String],
        pick: impl Fn(&Compiled) -> Option<&jsonschema::Validator>,
    ) -> Vec<Finding> {
        let Some(validator) = per_profile.get(&profile).and_then(&pick) else {
            return Vec::new();
        };
        let mut findings: Vec<Finding> = Vec::new();
        let mut seen = BTreeSet::new();
        for error in validator.iter_errors(instance) {
            let finding = self.finding_from(&error, prefix);
            if seen.insert((finding.pointer.clone(), finding.clause.clone())) {
                findings.push(finding);
            }
        }
        if findings.is_empty() {
            return findings;
        }
        // Which other profiles would accept each finding?
        for other in Profile::ALL.into_iter().filter(|p| *p != profile) {
            let Some(other_validator) = per_profile.get(&other).and_then(&pick) else {
                continue;
            };
            let rejected: BTreeSet<(String, String)> = other_validator
                .iter_errors(instance)
                .map(|e| {
                    let f = self.finding_from(&e, prefix);
                    (f.pointer, f.clause)
                })
                .collect();
            for finding in &mut findings {
                if !rejected.contains(&(finding.pointer.clone(), finding.clause.clone())) {
                    finding.accepted_by.push(other.as_str().to_owned());
                }
            }
        }
        findings
    }

    /// The clause a body location belongs to: a deployment field's own clause, else SD-RESP-1.
    fn clause_for(&self, segments: &[String]) -> String {
        match segments {
            [top, _index, field, ..] if top == "software_deployments" => self
                .field_clauses
                .get(field)
                .cloned()
                .unwrap_or_else(|| "SD-RESP-1".to_owned()),
            _ => "SD-RESP-1".to_owned(),
        }
    }

    fn finding_from(&self, error: &jsonschema::ValidationError<'_>, prefix: &[String]) -> Finding {
        use jsonschema::error::ValidationErrorKind as Kind;
        let mut segments: Vec<String> = prefix.to_vec();
        segments.extend(error.instance_path().iter().map(|segment| match segment {
            jsonschema::paths::LocationSegment::Property(p) => p.into_owned(),
            jsonschema::paths::LocationSegment::Index(i) => i.to_string(),
        }));
        let instance = error.instance();
        let actual = compact(instance);
        let (check, expected, actual) = match error.kind() {
            Kind::Required { property } => {
                let name = property.as_str().unwrap_or_default().to_owned();
                segments.push(name.clone());
                (
                    "schema",
                    format!("property {name:?} present"),
                    "absent".to_owned(),
                )
            }
            Kind::Type { kind } => ("schema", format!("type {}", type_names(kind)), actual),
            Kind::Enum { options } => (
                "status_enum",
                format!("one of {}", compact(options)),
                actual,
            ),
            Kind::Format { format } if format == "sd-timestamp" => {
                let why = instance
                    .as_str()
                    .and_then(|s| timestamp::parse(s).err())
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default();
                (
                    "timestamp",
                    "CCYY-MM-DDThh:mm:ss±hh:mm (Z for +00:00), a real calendar instant".to_owned(),
                    format!("{actual}{why}"),
                )
            }
            Kind::Format { format } if format == "sd-uuid" => (
                "uuid",
                "a UUID: 8-4-4-4-12 hexadecimal digits".to_owned(),
                actual,
            ),
            _ => (
                "schema",
                "valid under the profile's schema".to_owned(),
                actual,
            ),
        };
        let clause = self.clause_for(&segments);
        let pointer = to_pointer(&segments);
        let message = match error.kind() {
            Kind::Required { .. } => format!("{pointer} is missing"),
            _ => format!("{pointer}: {error}"),
        };
        Finding::new(&clause, check, pointer, expected, actual, message)
    }
}

/// Serializes `value` on one line (for evidence).
pub fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Builds an RFC 6901 pointer from path segments.
pub fn to_pointer(segments: &[String]) -> String {
    segments.iter().map(|s| format!("/{}", escape(s))).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::load::EMBEDDED;
    use super::*;

    /// The document's own response example, verbatim.
    const DOCUMENT_EXAMPLE: &str = r#"{
        "software_deployments": [
            {
                "status": "COMPLETE",
                "server_id": "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5",
                "config_id": "8da95794-2ad9-4979-8ae5-739ce314c5cd",
                "output_values": {
                    "deploy_stdout": "Writing to /tmp/barmy\nWritten to /tmp/barmy\n",
                    "deploy_stderr": "+ echo Writing to /tmp/barmy\n+ echo fu\n+ cat /tmp/barmy\n+ echo -n The file /tmp/barmy contains fu for server ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5 during CREATE\n+ echo Written to /tmp/barmy\n+ echo Output to stderr\nOutput to stderr\n",
                    "deploy_status_code": 0,
                    "result": "The file /tmp/barmy contains fu for server ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5 during CREATE"
                },
                "input_values": null,
                "action": "CREATE",
                "status_reason": "Outputs received",
                "id": "ef422fa5-719a-419e-a10c-72e3a367b0b8",
                "creation_time": "2015-01-31T15:12:36Z",
                "updated_time": "2015-01-31T15:18:21Z"
            }
        ]
    }"#;

    fn contract() -> Contract {
        match Contract::embedded() {
            Ok(c) => c,
            Err(e) => panic!("embedded contract: {e}"),
        }
    }

    fn example() -> Value {
        serde_json::from_str(DOCUMENT_EXAMPLE).unwrap_or_default()
    }

    #[test]
    fn the_documents_example_validates_under_documented_and_lenient() {
        let c = contract();
        assert_eq!(
            c.validate("software-deployments", Profile::Documented, &example()),
            vec![]
        );
        assert_eq!(
            c.validate("software-deployments", Profile::Lenient, &example()),
            vec![]
        );
    }

    #[test]
    fn strict_rejects_the_examples_null_input_values_and_says_who_accepts_it() {
        let findings = contract().validate("software-deployments", Profile::Strict, &example());
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].clause, "SD-RESP-6");
        assert_eq!(findings[0].pointer, "/software_deployments/0/input_values");
        assert_eq!(findings[0].accepted_by, vec!["documented", "lenient"]);
    }

    fn with(field: &str, value: Option<Value>) -> Value {
        let mut body = example();
        if let Some(item) = body
            .pointer_mut("/software_deployments/0")
            .and_then(Value::as_object_mut)
        {
            match value {
                Some(v) => {
                    item.insert(field.to_owned(), v);
                }
                None => {
                    item.remove(field);
                }
            }
        }
        body
    }

    #[test]
    fn each_field_violation_cites_its_own_clause_and_check() {
        let c = contract();
        let table: Vec<(&str, Option<Value>, &str, &str)> = vec![
            ("status", Some(json!("DONE")), "SD-RESP-9", "status_enum"),
            (
                "status",
                Some(json!("complete")),
                "SD-RESP-9",
                "status_enum",
            ),
            (
                "creation_time",
                Some(json!("2015-02-29T00:00:00Z")),
                "SD-RESP-4",
                "timestamp",
            ),
            (
                "creation_time",
                Some(json!("2015-01-31T15:12:36.5Z")),
                "SD-RESP-4",
                "timestamp",
            ),
            (
                "updated_time",
                Some(json!("2015-13-01T00:00:00+00:00")),
                "SD-RESP-11",
                "timestamp",
            ),
            ("updated_time", None, "SD-RESP-11", "schema"),
            ("id", Some(json!("deployment-1")), "SD-RESP-5", "uuid"),
            ("id", Some(json!(7)), "SD-RESP-5", "schema"),
            ("action", Some(json!(1)), "SD-RESP-2", "schema"),
            ("config_id", None, "SD-RESP-3", "schema"),
            ("input_values", Some(json!([])), "SD-RESP-6", "schema"),
            ("output_values", Some(json!(null)), "SD-RESP-7", "schema"),
            ("server_id", Some(json!(42)), "SD-RESP-8", "schema"),
            ("status_reason", Some(json!(null)), "SD-RESP-10", "schema"),
        ];
        for (field, value, clause, check) in table {
            let findings = c.validate(
                "software-deployments",
                Profile::Documented,
                &with(field, value.clone()),
            );
            assert!(!findings.is_empty(), "{field}={value:?} passed");
            assert!(
                findings.iter().all(|f| f.clause == clause),
                "{field}={value:?}: {findings:?}"
            );
            assert_eq!(findings[0].check, check, "{field}={value:?}");
        }
    }

    #[test]
    fn lenient_accepts_null_outputs_and_absent_updated_time() {
        let c = contract();
        for body in [
            with("output_values", Some(json!(null))),
            with("updated_time", None),
            with("updated_time", Some(json!(null))),
        ] {
            assert_eq!(
                c.validate("software-deployments", Profile::Lenient, &body),
                vec![]
            );
            let documented = c.validate("software-deployments", Profile::Documented, &body);
            assert_eq!(documented.len(), 1);
            assert_eq!(documented[0].accepted_by, vec!["lenient"]);
        }
    }

    #[test]
    fn envelope_violations_cite_sd_resp_1() {
        let c = contract();
        for body in [
            json!([]),
            json!({"deployments": []}),
            json!({"software_deployments": {}}),
            json!({"software_deployments": [1]}),
        ] {
            let findings = c.validate("software-deployments", Profile::Documented, &body);
            assert!(!findings.is_empty(), "{body}");
            assert!(
                findings.iter().all(|f| f.clause == "SD-RESP-1"),
                "{body}: {findings:?}"
            );
        }
        assert_eq!(
            c.validate(
                "software-deployments",
                Profile::Strict,
                &json!({"software_deployments": []})
            ),
            vec![]
        );
    }

    #[test]
    fn extra_fields_are_allowed_in_every_profile() {
        let c = contract();
        let body = with("stack_user_project_id", Some(json!("x")));
        for profile in Profile::ALL {
            let findings = c.validate("software-deployments", profile, &body);
            assert!(
                findings.iter().all(|f| f.clause == "SD-RESP-6"),
                "{profile}: {findings:?}"
            );
        }
    }

    #[test]
    fn a_list_with_its_own_constraints_is_validated_whole() {
        assert!(contract().validates_items("software-deployments"));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir(dir.path().join("profiles")).unwrap_or_else(|e| panic!("{e}"));
        for (name, text) in EMBEDDED {
            let text = if *name == "software-deployments.schema.json" {
                text.replacen(
                    r#""type": "array","#,
                    r#""type": "array", "minItems": 2,"#,
                    1,
                )
            } else {
                (*text).to_owned()
            };
            std::fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{e}"));
        }
        let c = Contract::from_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.validates_items("software-deployments"));
        let findings = c.validate("software-deployments", Profile::Documented, &example());
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].pointer, "/software_deployments");
        // The checks of a case then see the whole list: three items satisfy
        // `minItems`, where an envelope with an empty list would not.
        let loader =
            crate::case::load::Loader::new(c.case_schema()).unwrap_or_else(|e| panic!("{e}"));
        let cases = loader.load_embedded().unwrap_or_else(|e| panic!("{e}"));
        let Some(list_all) = cases.iter().find(|case| case.id == "list-all") else {
            panic!("list-all is shipped");
        };
        let body =
            serde_json::to_vec(&json!({ "software_deployments": crate::reference::generated(3) }))
                .unwrap_or_default();
        let eval = crate::check::evaluate(&crate::check::Input {
            case: list_all,
            status: 200,
            content_type: Some("application/json"),
            body: &body,
            vars: &BTreeMap::new(),
            others: &BTreeMap::new(),
            contract: &c,
            profile: Profile::Documented,
            clock_skew: crate::check::order::DEFAULT_CLOCK_SKEW,
        });
        assert_eq!(eval.findings, vec![]);
    }
}
