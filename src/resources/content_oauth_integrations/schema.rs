//! The schema of `posit_connect_content_oauth_integrations`.

use tfplugin::plan_modifiers::{RequiresReplace, UseStateForUnknown};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::NotBlank;
use tfplugin::value::Type;

pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "The OAuth integrations one content item on Connect may use. Manages the whole set: integrations \
             associated with the content outside Terraform are removed on apply.",
            vec![
                Attribute::string("id")
                    .computed()
                    .plan_modifier(UseStateForUnknown)
                    .describe("The content item's guid."),
                Attribute::string("content_guid")
                    .required()
                    .plan_modifier(RequiresReplace)
                    .validate(NotBlank)
                    .describe(
                    "The guid of the content item. **Changing it replaces the resource** (the associations move to \
                         the other content).",
                ),
                Attribute::of_type("integration_guids", Type::Set(Box::new(Type::String))).required().describe(
                    "The guids of the OAuth integrations the content may use. An empty set removes all. \
                         Updates in place.",
                ),
            ],
        ),
    )
}
