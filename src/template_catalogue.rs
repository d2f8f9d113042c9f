//! Connect's OAuth integration templates and what each one needs, as far as the configuration
//! alone can be checked at plan. Facts from Connect's integration docs and the seed page; keys a
//! template needs that are not listed here still reach the server, which has the last word.

/// A template's rules.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// Connect's template id, as `template` takes it.
    pub id: &'static str,
    /// Scopes planned when the configuration gives none.
    pub default_scopes: Option<&'static str>,
    /// Config keys the configuration must set (beyond the secret).
    pub required: &'static [&'static str],
    /// Config keys that must be Microsoft Entra ID GUIDs.
    pub guid_keys: &'static [&'static str],
    /// The auth types it takes; the first is planned when the configuration gives none.
    pub auth_types: &'static [&'static str],
    /// Whether a client secret is needed whatever the auth type (Confidential applications only).
    pub secret_required: bool,
    /// Whether the template has an `auth_mode` (Confidential / Public) at all.
    pub has_auth_mode: bool,
}

const VIEWER_OR_SERVICE: &[&str] = &["Viewer", "Service Account"];

const fn oauth(id: &'static str, required: &'static [&'static str]) -> Template {
    Template {
        id,
        default_scopes: None,
        required,
        guid_keys: &[],
        auth_types: VIEWER_OR_SERVICE,
        secret_required: false,
        has_auth_mode: true,
    }
}

const fn azure(id: &'static str, default_scopes: Option<&'static str>, required: &'static [&'static str]) -> Template {
    Template { default_scopes, guid_keys: &["tenant_id", "client_id"], ..oauth(id, required) }
}

const AZURE_KEYS: &[&str] = &["tenant_id", "client_id"];

/// Every template the provider accepts; a server may have more, which the data sources show.
pub const TEMPLATES: &[Template] = &[
    azure("azure", None, &["tenant_id", "client_id", "scopes"]),
    azure("azure-openai", Some("https://cognitiveservices.azure.com/.default offline_access"), AZURE_KEYS),
    azure("msgraph", Some("https://graph.microsoft.com/.default offline_access"), AZURE_KEYS),
    azure("sharepoint", Some("00000003-0000-0ff1-ce00-000000000000/.default offline_access"), AZURE_KEYS),
    oauth("aws", &[]),
    Template { auth_types: &["Visitor API Key"], has_auth_mode: false, ..oauth("connect", &["max_role"]) },
    oauth("custom", &["client_id", "authorization_uri", "token_uri"]),
    oauth("databricks", &["client_id"]),
    oauth("github", &["client_id"]),
    oauth("bigquery", &["client_id"]),
    oauth("drive", &["client_id"]),
    oauth("sheets", &["client_id"]),
    oauth("vertex-ai", &["client_id"]),
    oauth("salesforce", &["client_id"]),
    Template { secret_required: true, ..oauth("snowflake", &["account_url", "client_id"]) },
];

/// Every template id, in the catalogue's order, for validators and docs.
pub const TEMPLATE_IDS: &[&str] = &template_ids();

const fn template_ids() -> [&'static str; TEMPLATES.len()] {
    let mut ids = [""; TEMPLATES.len()];
    let mut i = 0;
    while i < TEMPLATES.len() {
        ids[i] = TEMPLATES[i].id;
        i += 1;
    }
    ids
}

/// The rules of a template, by id.
pub fn find(id: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.id == id)
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
        assert_eq!(TEMPLATE_IDS.len(), 15);
        assert_eq!(TEMPLATE_IDS[..4], ["azure", "azure-openai", "msgraph", "sharepoint"]);
        assert!(find("azure").unwrap().default_scopes.is_none());
        assert!(find("azure").unwrap().required.contains(&"scopes"));
        assert!(find("msgraph").unwrap().default_scopes.unwrap().contains("offline_access"));
        assert_eq!(find("connect").unwrap().auth_types, ["Visitor API Key"]);
        assert!(find("snowflake").unwrap().secret_required);
        assert!(find("gcp").is_none());
    }

    #[test]
    fn offline_access_is_a_whole_scope() {
        assert!(has_offline_access("x offline_access"));
        assert!(!has_offline_access("x offline_accessy"));
    }
}
