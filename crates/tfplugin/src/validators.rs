//! Attribute validators, run on known, non-null configuration values during
//! ValidateResourceConfig, so that bad input fails at `terraform plan` naming the attribute.

use std::fmt::Debug;

use super::diag::{AttributePath, Diagnostics};
use super::suggest::did_you_mean;
use super::value::Value;

/// A check of one attribute's configured value, attached with
/// [`Attribute::validate`](crate::schema::Attribute::validate).
pub trait Validator: Send + Sync + Debug {
    /// Checks a known, non-null value; adds error diagnostics pointing at `path`.
    fn validate(&self, path: &AttributePath, value: &Value, diags: &mut Diagnostics);
    /// One sentence of Markdown for the docs, saying what the attribute accepts (``Must be one of
    /// `a` or `b`.``). docgen appends it to the attribute's description in the Schema section, so
    /// a description need not repeat it.
    fn describe(&self) -> String;
}

/// The value must be one of a fixed list of strings. The error lists them, and names the one
/// meant when the value is close to one (see [`suggest`](crate::suggest)).
#[derive(Debug, Clone)]
pub struct OneOf(pub &'static [&'static str]);

impl Validator for OneOf {
    fn validate(&self, path: &AttributePath, value: &Value, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str() {
            if !self.0.contains(&s) {
                diags.attr_error(
                    path.clone(),
                    format!("Invalid value for {path}"),
                    format!("{path} is {s:?}; it must be one of: {}.{}", quoted_list(self.0), did_you_mean(s, self.0)),
                );
            }
        }
    }

    fn describe(&self) -> String {
        let choices: Vec<String> = self.0.iter().map(|s| format!("`{s}`")).collect();
        match choices.as_slice() {
            [] => "No value is accepted.".into(),
            [one] => format!("Must be {one}."),
            [a, b] => format!("Must be {a} or {b}."),
            [rest @ .., last] => format!("Must be one of {} or {last}.", rest.join(", ")),
        }
    }
}

/// The string must contain something other than white space.
#[derive(Debug, Clone)]
pub struct NotBlank;

impl Validator for NotBlank {
    fn validate(&self, path: &AttributePath, value: &Value, diags: &mut Diagnostics) {
        if value.as_str().is_some_and(|s| s.trim().is_empty()) {
            diags.attr_error(path.clone(), format!("Empty {path}"), format!("{path} must not be empty."));
        }
    }

    fn describe(&self) -> String {
        "Must not be empty.".into()
    }
}

/// An Azure (Microsoft Entra ID) GUID: 8-4-4-4-12 hexadecimal digits. A resource checks one
/// with [`Guid::is_guid`] where the rule depends on other attributes.
#[derive(Debug, Clone)]
pub struct Guid;

impl Guid {
    /// Whether `s` has a GUID's shape (any case).
    pub fn is_guid(s: &str) -> bool {
        let groups: Vec<&str> = s.split('-').collect();
        groups.len() == 5
            && groups
                .iter()
                .zip([8, 4, 4, 4, 12])
                .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
    }
}

fn quoted_list(items: &[&str]) -> String {
    items.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(v: &dyn Validator, value: Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        v.validate(&AttributePath::dotted("config.x"), &value, &mut d);
        d
    }

    #[test]
    fn one_of_names_choices() {
        let d = run(&OneOf(&["Viewer", "Service Account"]), Value::string("Admin"));
        assert!(d.has_errors());
        assert!(d.0[0].detail.contains("\"Viewer\", \"Service Account\""), "{}", d.0[0].detail);
        assert!(!d.0[0].detail.contains("Did you mean"), "nothing close to Admin: {}", d.0[0].detail);
        assert!(run(&OneOf(&["Viewer"]), Value::string("Viewer")).is_empty());
    }

    #[test]
    fn one_of_suggests_the_close_choice() {
        let d = run(&OneOf(&["azure", "msgraph", "sharepoint"]), Value::string("ms-graph"));
        assert_eq!(d.0.len(), 1);
        assert!(d.0[0].detail.ends_with("\"sharepoint\". Did you mean \"msgraph\"?"), "{}", d.0[0].detail);
    }

    #[test]
    fn descriptions_are_sentences_for_the_docs() {
        assert_eq!(OneOf(&["azure", "msgraph", "aws"]).describe(), "Must be one of `azure`, `msgraph` or `aws`.");
        assert_eq!(OneOf(&["Confidential", "Public"]).describe(), "Must be `Confidential` or `Public`.");
        assert_eq!(OneOf(&["Viewer"]).describe(), "Must be `Viewer`.");
        assert_eq!(NotBlank.describe(), "Must not be empty.");
    }

    #[test]
    fn guid_shapes() {
        assert!(Guid::is_guid("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(Guid::is_guid("0F8FAD5B-D9CB-469F-A165-70867728950E"));
        assert!(!Guid::is_guid("0f8fad5b-d9cb-469f-a165-70867728950"));
        assert!(!Guid::is_guid("0f8fad5bd9cb469fa16570867728950e"));
        assert!(!Guid::is_guid("zf8fad5b-d9cb-469f-a165-70867728950e"));
    }

    #[test]
    fn not_blank() {
        assert!(run(&NotBlank, Value::string("  ")).has_errors());
        assert!(run(&NotBlank, Value::string("x")).is_empty());
    }
}
