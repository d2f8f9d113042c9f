//! Diagnostics: what a provider tells Terraform about errors and warnings, each optionally
//! pointing at the attribute it is about, so Terraform can underline it in the configuration.

use std::fmt;

/// A path into a value, outermost step first, as Terraform's `AttributePath`: where a diagnostic
/// points, and where a value failed to decode or encode. Displayed as `config.client_id`,
/// `items[2].name` or `tags["env"]`; empty at the top level.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttributePath(pub Vec<PathStep>);

/// One step of an [`AttributePath`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// An object attribute, by name.
    Attribute(String),
    /// A map element, by key.
    ElementKeyString(String),
    /// A list, set or tuple element, by position.
    ElementKeyInt(i64),
}

impl AttributePath {
    /// The path of a top-level attribute.
    pub fn root(name: &str) -> Self {
        AttributePath(vec![PathStep::Attribute(name.to_string())])
    }

    /// This path extended by a nested attribute.
    pub fn attr(&self, name: &str) -> Self {
        let mut steps = self.0.clone();
        steps.push(PathStep::Attribute(name.to_string()));
        AttributePath(steps)
    }

    /// Parses a dotted path of attribute names (`config.client_id`).
    pub fn dotted(path: &str) -> Self {
        AttributePath(path.split('.').map(|s| PathStep::Attribute(s.to_string())).collect())
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attribute(a) if i == 0 => write!(f, "{a}")?,
                PathStep::Attribute(a) => write!(f, ".{a}")?,
                PathStep::ElementKeyString(k) => write!(f, "[{k:?}]")?,
                PathStep::ElementKeyInt(k) => write!(f, "[{k}]")?,
            }
        }
        Ok(())
    }
}

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Fails the operation: Terraform stops and shows it.
    Error,
    /// Shown, and the operation goes on.
    Warning,
}

/// One error or warning, as Terraform shows it: the summary as its title, the detail below.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// One line: what went wrong.
    pub summary: String,
    /// Why, and what to do about it.
    pub detail: String,
    /// The attribute it is about, which Terraform then points at in the configuration.
    pub attribute: Option<AttributePath>,
}

impl Diagnostic {
    /// An error, about nothing in particular until [`Diagnostic::at`].
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, summary: summary.into(), detail: detail.into(), attribute: None }
    }

    /// A warning, about nothing in particular until [`Diagnostic::at`].
    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, summary: summary.into(), detail: detail.into(), attribute: None }
    }

    /// Points the diagnostic at an attribute.
    pub fn at(mut self, path: AttributePath) -> Self {
        self.attribute = Some(path);
        self
    }
}

/// An ordered collection of diagnostics; any error in it fails the RPC's operation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// None yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Adds all of `other`'s, in order.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Adds an error about nothing in particular.
    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::error(summary, detail));
    }

    /// An error about one attribute: the summary names the attribute, the detail says what is allowed.
    pub fn attr_error(&mut self, path: AttributePath, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::error(summary, detail).at(path));
    }

    /// Whether any is an error, so the operation has failed.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// Whether there are none at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_display_dotted() {
        assert_eq!(AttributePath::dotted("config.client_id").to_string(), "config.client_id");
        assert_eq!(AttributePath::root("config").attr("scopes"), AttributePath::dotted("config.scopes"));
    }

    #[test]
    fn errors_are_counted() {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::warning("w", ""));
        assert!(!d.has_errors());
        d.attr_error(AttributePath::root("name"), "bad", "");
        assert!(d.has_errors());
        assert_eq!(d.0[1].attribute.as_ref().unwrap().to_string(), "name");
    }
}
