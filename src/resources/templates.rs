//! The Connect OAuth integration templates this provider manages, and what each one needs.
//! Facts from Connect's "General Setup for Microsoft Azure" page.

/// A template's rules as far as planning needs them.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    pub id: &'static str,
    /// Scopes planned when the configuration gives none; `None` means the user must list them.
    pub default_scopes: Option<&'static str>,
}

pub const TEMPLATES: &[Template] = &[
    Template { id: "azure", default_scopes: None },
    Template {
        id: "azure-openai",
        default_scopes: Some("https://cognitiveservices.azure.com/.default offline_access"),
    },
    Template { id: "msgraph", default_scopes: Some("https://graph.microsoft.com/.default offline_access") },
    Template { id: "sharepoint", default_scopes: Some("00000003-0000-0ff1-ce00-000000000000/.default offline_access") },
];

/// The template ids, for validators and docs.
pub const TEMPLATE_IDS: &[&str] = &["azure", "azure-openai", "msgraph", "sharepoint"];

pub fn find(id: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.id == id)
}

/// Scopes compare as a set of space-separated tokens: order and spacing carry no meaning.
pub fn scopes_equal(a: &str, b: &str) -> bool {
    let mut x: Vec<&str> = a.split_whitespace().collect();
    let mut y: Vec<&str> = b.split_whitespace().collect();
    x.sort_unstable();
    x.dedup();
    y.sort_unstable();
    y.dedup();
    x == y
}

/// Whether a Viewer integration with these scopes gets a refresh token.
pub fn has_offline_access(scopes: &str) -> bool {
    scopes.split_whitespace().any(|s| s == "offline_access")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_catalogue_agree() {
        assert_eq!(TEMPLATES.iter().map(|t| t.id).collect::<Vec<_>>(), TEMPLATE_IDS);
        assert!(find("azure").unwrap().default_scopes.is_none());
        assert!(find("msgraph").unwrap().default_scopes.unwrap().contains("offline_access"));
        assert!(find("aws").is_none());
    }

    #[test]
    fn scopes_compare_as_sets() {
        assert!(scopes_equal("a b  c", " c a b"));
        assert!(scopes_equal("a a b", "b a"));
        assert!(!scopes_equal("a b", "a"));
        assert!(!scopes_equal("a b", "a c"));
        assert!(has_offline_access("x offline_access"));
        assert!(!has_offline_access("x offline_accessy"));
    }
}
