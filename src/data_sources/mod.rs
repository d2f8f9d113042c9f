//! Data sources: read-only views of Connect for use in other configuration.

pub mod content;
pub mod oauth_integration;
pub mod oauth_integrations;
pub mod oauth_templates;
pub mod principals;
pub mod server;

use std::collections::BTreeSet;

use crate::connect::{Integration, Permission};
use tfplugin::model::Attr;
use tfplugin::schema::{Attribute, Block};
use tfplugin::value::{Number, Type};

/// The non-secret fields of an integration as a data source shows them.
pub(crate) fn summary_attributes() -> Vec<Attribute> {
    vec![
        Attribute::string("guid").computed().describe("The integration's guid."),
        Attribute::string("name").computed().describe("The integration's name."),
        Attribute::string("description").computed().describe("The integration's description."),
        Attribute::string("template").computed().describe(
            "The Connect template id, e.g. `azure-openai`; any template on the server, also one \
             `posit_connect_oauth_integration` does not accept.",
        ),
        Attribute::string("auth_type").computed().describe(
            "`Viewer`, `Service Account` or `Visitor API Key` (the `connect` template), as Connect says; null when \
             the server does not say (Connect before 2025).",
        ),
        Attribute::string("created_time").computed().describe("When the integration was created (RFC 3339)."),
        Attribute::string("updated_time").computed().describe("When the integration was last changed (RFC 3339)."),
        Attribute::single(
            "permissions",
            Block::new(
                "",
                vec![
                    Attribute::of_type("users", Type::Set(Box::new(Type::String)))
                        .computed()
                        .describe("The guids of the users allowed to use it."),
                    Attribute::of_type("groups", Type::Set(Box::new(Type::String)))
                        .computed()
                        .describe("The guids of the groups allowed to use it."),
                    Attribute::bool("all_publishers")
                        .computed()
                        .describe("`true` when Connect's list is empty: every publisher may use it."),
                ],
            ),
        )
        .computed()
        .describe(
            "Who may use the integration; null when the server does not say (Connect before permissions on \
             integrations).",
        ),
        Attribute::number("content_count").computed().describe(
            "How many content items use the integration; null when the server does not say (it tells administrators \
             only).",
        ),
        Attribute::of_type("environment_variables", Type::List(Box::new(Type::String))).computed().describe(
            "The names of the environment variables the integration gives content; null when the server does not say.",
        ),
    ]
}

tfplugin::model! {
    /// Who may use an integration, as the data sources show it.
    pub(crate) struct PermissionsSummary {
        pub(crate) users: Attr<BTreeSet<String>>,
        pub(crate) groups: Attr<BTreeSet<String>>,
        pub(crate) all_publishers: Attr<bool>,
    }
}

impl PermissionsSummary {
    fn of(list: &[Permission]) -> Self {
        let users: BTreeSet<String> = list.iter().filter_map(|p| p.user_guid.clone()).collect();
        let groups: BTreeSet<String> = list.iter().filter_map(|p| p.group_guid.clone()).collect();
        PermissionsSummary {
            all_publishers: Attr::known(users.is_empty() && groups.is_empty()),
            users: Attr::known(users),
            groups: Attr::known(groups),
        }
    }
}

tfplugin::model! {
    /// The non-secret fields of an integration, as the data sources show them.
    pub(crate) struct Summary {
        pub(crate) guid: Attr<String>,
        pub(crate) name: Attr<String>,
        pub(crate) description: Attr<String>,
        pub(crate) template: Attr<String>,
        pub(crate) auth_type: Attr<String>,
        pub(crate) created_time: Attr<String>,
        pub(crate) updated_time: Attr<String>,
        pub(crate) permissions: Attr<PermissionsSummary>,
        pub(crate) content_count: Attr<Number>,
        pub(crate) environment_variables: Attr<Vec<String>>,
    }
}

impl Summary {
    /// An integration as Connect returned it; its auth type from the top level or, on servers
    /// that keep it there, from its config.
    pub(crate) fn of(i: &Integration) -> Self {
        let auth_type =
            i.auth_type.clone().or_else(|| i.config.get("auth_type").and_then(|v| v.as_str()).map(String::from));
        Summary {
            guid: Attr::known(i.guid.clone()),
            name: Attr::from_option(i.name.clone()),
            description: Attr::known(i.description.clone()),
            template: Attr::from_option(i.template.clone()),
            auth_type: Attr::from_option(auth_type),
            created_time: Attr::from_option(i.created_time.clone()),
            updated_time: Attr::from_option(i.updated_time.clone()),
            permissions: Attr::from_option(i.permissions.as_deref().map(PermissionsSummary::of)),
            content_count: Attr::from_option(i.content_count.map(Number::Int)),
            environment_variables: Attr::from_option(i.environment_variables.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::model::Model;
    use tfplugin::schema::Block;

    #[test]
    fn the_summary_model_has_the_summary_attributes() {
        assert_eq!(Summary::check_schema(&Block::new("", summary_attributes())), Ok(()));
    }
}
