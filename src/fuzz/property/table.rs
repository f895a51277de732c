//! The seven properties: each one's name, the clause and severity its findings carry, and
//! the sentence the report shows.

use crate::check::Severity;

/// One property of the table in `fuzz::property`'s docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Property {
    /// A well-formed request is not answered 5xx.
    NoServerError,
    /// The status is a documented one.
    DocumentedStatus,
    /// The status is one the contract allows for this input.
    AllowedStatus,
    /// A 200 body is valid under the profile.
    ValidBody,
    /// Every returned item has the requested `server_id`.
    FilterExact,
    /// The filtered list is the corresponding subset of the unfiltered list.
    FilterSubset,
    /// The same request twice gets the same status.
    StableStatus,
}

impl Property {
    /// Every property, in report order.
    pub const ALL: [Property; 7] = [
        Property::NoServerError,
        Property::DocumentedStatus,
        Property::AllowedStatus,
        Property::ValidBody,
        Property::FilterExact,
        Property::FilterSubset,
        Property::StableStatus,
    ];

    /// Kebab-case name, as reports and the regressions file spell it.
    pub fn name(self) -> &'static str {
        match self {
            Property::NoServerError => "no-server-error",
            Property::DocumentedStatus => "documented-status",
            Property::AllowedStatus => "allowed-status",
            Property::ValidBody => "valid-body",
            Property::FilterExact => "filter-exact",
            Property::FilterSubset => "filter-subset",
            Property::StableStatus => "stable-status",
        }
    }

    /// The check name its findings and records carry, in snake case like the suite's checks.
    pub fn check(self) -> &'static str {
        match self {
            Property::NoServerError => "no_server_error",
            Property::DocumentedStatus => "documented_status",
            Property::AllowedStatus => "allowed_status",
            Property::ValidBody => "valid_body",
            Property::FilterExact => "filter_exact",
            Property::FilterSubset => "filter_subset",
            Property::StableStatus => "stable_status",
        }
    }

    /// The property called `name`.
    pub fn from_name(name: &str) -> Option<Property> {
        Property::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The clause a violation cites (`valid-body` findings cite the field's own clause).
    pub fn clause(self) -> &'static str {
        match self {
            Property::NoServerError | Property::AllowedStatus => "SD-CODE-200",
            Property::DocumentedStatus => "SD-CODE-SET",
            Property::ValidBody => "SD-RESP-1",
            Property::FilterExact | Property::FilterSubset => "SD-REQ-1",
            Property::StableStatus => "SD-URI-1",
        }
    }

    /// MUST, except `stable-status`.
    pub fn severity(self) -> Severity {
        match self {
            Property::StableStatus => Severity::Should,
            _ => Severity::Must,
        }
    }

    /// One line for the report.
    pub fn description(self) -> &'static str {
        match self {
            Property::NoServerError => {
                "a well-formed request (valid token, UTF-8 value) must succeed: no 5xx"
            }
            Property::DocumentedStatus => "the status is one of 200, 400, 401, 404, 500",
            Property::AllowedStatus => {
                "an existing server id gets 200; another value 200, 400 or 404; 401 only without a token"
            }
            Property::ValidBody => {
                "a 200 body is JSON, labelled application/json, valid under the profile, and no updated_time precedes its creation_time"
            }
            Property::FilterExact => {
                "every returned item's server_id equals the decoded parameter exactly"
            }
            Property::FilterSubset => {
                "the filtered list is exactly the unfiltered list's deployments of that server_id"
            }
            Property::StableStatus => "the same request sent twice gets the same status",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Property;

    #[test]
    fn property_names_round_trip() {
        for p in Property::ALL {
            assert_eq!(Property::from_name(p.name()), Some(p));
        }
    }
}
