use super::*;

use tfplugin::schema::{Attribute, IdentityAttribute};
use tfplugin::validators::{NotBlank, OneOf};

/// The test CI relies on: every page under docs/ is what `cargo run -p docgen` writes.
#[test]
fn docs_pages_are_generated_from_the_schema() {
    let problems = check(&repo_root(), &pages());
    assert!(
        problems.is_empty(),
        "{} docs page(s) differ from what docgen writes from the provider's schemas. The descriptions live \
         in the code (`describe(...)`); change them there and run `cargo run -p docgen`.\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn every_kind_of_page_is_generated() {
    let paths: Vec<String> = pages().into_iter().map(|p| p.path).collect();
    for want in [
        "docs/index.md",
        "docs/resources/connect_oauth_integration.md",
        "docs/resources/connect_content_oauth_integrations.md",
        "docs/list-resources/connect_oauth_integration.md",
        "docs/data-sources/connect_oauth_integration.md",
        "docs/data-sources/connect_oauth_integrations.md",
        "docs/data-sources/connect_server.md",
    ] {
        assert!(paths.iter().any(|p| p == want), "{want} not among {paths:?}");
    }
}

fn page_of(path: &str) -> Page {
    pages().into_iter().find(|p| p.path == path).unwrap_or_else(|| panic!("no page {path}"))
}

/// The renderer can fail: a description changed in the code is reported against the page as
/// it is on disk, with the old bullet and the new one.
#[test]
fn a_changed_description_is_reported() {
    let mut page = page_of("docs/resources/connect_content_oauth_integrations.md");
    let text = std::fs::read_to_string(repo_root().join(&page.path)).unwrap();
    assert_eq!(compare(&page, Some(&text)), Outcome::UpToDate, "the page on disk is not up to date");

    let attr = page.schema.block.attributes.iter_mut().find(|a| a.name == "content_guid").unwrap();
    let old = attr.description.clone();
    attr.description = "A different description.".into();
    let Outcome::Differs { current, expected } = compare(&page, Some(&text)) else {
        panic!("a changed description went unnoticed")
    };
    let diff = diff_excerpt(&current, &expected);
    assert!(diff.contains(&format!("- - `content_guid` (String) {old}")), "{diff}");
    assert!(diff.contains("+ - `content_guid` (String) A different description."), "{diff}");
    assert_eq!(diff.lines().filter(|l| l.starts_with("    -") || l.starts_with("    +")).count(), 2, "{diff}");

    // And through the files, as `--check` sees them.
    let dir = std::env::temp_dir().join(format!("docgen-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("docs/resources")).unwrap();
    std::fs::write(dir.join(&page.path), &text).unwrap();
    let problems = check(&dir, std::slice::from_ref(&page));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("docs/resources/connect_content_oauth_integrations.md differs"), "{problems:?}");
    let (done, errors) = write(&dir, std::slice::from_ref(&page));
    assert_eq!((done.len(), errors.len()), (1, 0), "{done:?} {errors:?}");
    assert!(check(&dir, std::slice::from_ref(&page)).is_empty());
    let rewritten = std::fs::read_to_string(dir.join(&page.path)).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(rewritten.contains("A different description."));
    assert!(rewritten.contains("## Behaviour") && rewritten.contains("## Import"), "prose was lost");
}

#[test]
fn a_hand_edited_schema_section_is_reported() {
    let page = page_of("docs/data-sources/connect_server.md");
    let text = std::fs::read_to_string(repo_root().join(&page.path)).unwrap();
    let edited = text.replacen("- `url` (String)", "- `url` (Number)", 1);
    assert_ne!(edited, text);
    assert!(matches!(compare(&page, Some(&edited)), Outcome::Differs { .. }));
    // A bullet in a later section is not the schema's.
    let trailing = format!("{}\n\n## Notes\n\n- `extra` (String) Hand-written, after the schema.\n", text.trim_end());
    assert_eq!(compare(&page, Some(&trailing)), Outcome::UpToDate);
}

fn sample() -> Schema {
    Schema::new(
        0,
        Block::new(
            "A sample.",
            vec![
                Attribute::string("name").required().validate(NotBlank).describe("The name.\n  On two lines."),
                Attribute::single(
                    "config",
                    Block::new(
                        "",
                        vec![
                            Attribute::string("secret").optional().sensitive().describe("A secret."),
                            Attribute::string("secret_wo").optional().write_only(),
                            Attribute::string("mode").computed().describe("Decided by the server."),
                        ],
                    ),
                )
                .required()
                .describe("The configuration."),
                Attribute::of_type("tags", Type::Set(Box::new(Type::String))).optional().describe("Tags."),
                Attribute::of_type("labels", Type::Map(Box::new(Type::String))).optional(),
                Attribute::string("kind").optional().validate(OneOf(&["a", "b", "c"])),
                Attribute::bool("enabled").optional().computed().describe("On or off."),
                Attribute::string("id").computed().describe("The id."),
                Attribute::single("info", Block::new("", vec![Attribute::number("size").optional()]))
                    .computed()
                    .describe("Read back."),
                Attribute::of_type(
                    "rows",
                    Type::List(Box::new(Type::Object(
                        [("size".to_string(), Type::Number), ("label".to_string(), Type::String)].into(),
                    ))),
                )
                .computed()
                .describe("Each row."),
            ],
        ),
    )
}

#[test]
fn renders_the_registry_format() {
    let expected = format!(
        "\
## Schema

### Required

- `name` (String) The name. On two lines. Must not be empty.
- `config` (Attributes) The configuration. (see [below for nested schema](#nestedatt--config))

### Optional

- `tags` (Set of String) Tags.
- `labels` (Map of String)
- `kind` (String) Must be one of `a`, `b` or `c`.
- `enabled` (Boolean) On or off.

### Read-Only

- `id` (String) The id.
- `info` (Attributes) Read back. (see [below for nested schema](#nestedatt--info))
- `rows` (List of Object) Each row. (see [below for nested schema](#nestedatt--rows))

<a id=\"nestedatt--config\"></a>
### Nested Schema for `config`

Optional:

> **NOTE**: [Write-only arguments]({WRITE_ONLY_LINK}) are supported in Terraform 1.11 and later, and OpenTofu 1.11 and later.

- `secret` (String, Sensitive) A secret.
- `secret_wo` (String, [Write-only]({WRITE_ONLY_LINK}))

Read-Only:

- `mode` (String) Decided by the server.

<a id=\"nestedatt--info\"></a>
### Nested Schema for `info`

Read-Only:

- `size` (Number)

<a id=\"nestedatt--rows\"></a>
### Nested Schema for `rows`

Read-Only:

- `label` (String)
- `size` (Number)
"
    );
    assert_eq!(render_schema(&sample()), expected);
}

#[test]
fn renders_an_identity() {
    let identity = IdentitySchema {
        version: 0,
        attributes: vec![
            IdentityAttribute {
                name: "guid".into(),
                ty: Type::String,
                required_for_import: true,
                description: "The guid.".into(),
            },
            IdentityAttribute {
                name: "region".into(),
                ty: Type::String,
                required_for_import: false,
                description: String::new(),
            },
        ],
    };
    assert_eq!(
        render_identity(&identity),
        "### Identity Schema\n\n#### Required\n\n- `guid` (String) The guid.\n\n#### Optional\n\n- `region` (String)\n"
    );
}

#[test]
fn replaces_only_the_schema_section() {
    let page = Page {
        path: "docs/resources/sample.md".into(),
        name: "posit_sample".into(),
        label: "Resource",
        schema: sample(),
        identity: None,
    };
    let before = "# posit_sample (Resource)\n\nProse.\n\n```markdown\n## Schema\n\nin a code block\n```\n\n";
    let after = "## Import\n\nMore prose.\n\n### Identity\n\nKept.\n";
    let text =
        format!("{before}## Schema\n\n### Optional\n\n- `old` (String) Old.\n\n### Nested Schema for `x`\n\n{after}");
    let got = expected(&page, &text).unwrap();
    assert_eq!(got, format!("{before}{}\n{after}", render_schema(&page.schema)));
    // At the end of the page too, and a second run changes nothing.
    let at_end = expected(&page, &format!("{before}## Schema\n")).unwrap();
    assert!(at_end.ends_with(&render_schema(&page.schema)));
    assert_eq!(expected(&page, &got).unwrap(), got);

    let no_heading = expected(&page, before).unwrap_err();
    assert!(no_heading.contains("no `## Schema` heading"), "{no_heading}");
}

#[test]
fn an_identity_needs_its_heading() {
    let mut page = page_of("docs/resources/connect_oauth_integration.md");
    let text = std::fs::read_to_string(repo_root().join(&page.path)).unwrap();
    let without = text.replace("### Identity Schema", "### Identity");
    assert!(compare(&page, Some(&without)) != Outcome::UpToDate);
    assert!(matches!(compare(&page, Some(&without)), Outcome::Error(e) if e.contains("has an identity")));
    page.identity = None;
    assert!(matches!(compare(&page, Some(&text)), Outcome::Error(e) if e.contains("has no identity")));
}

#[test]
fn a_missing_page_is_created_with_its_schema() {
    let page = Page {
        path: "docs/resources/sample.md".into(),
        name: "posit_sample".into(),
        label: "Resource",
        schema: sample(),
        identity: None,
    };
    let Outcome::Missing { expected } = compare(&page, None) else { panic!("not missing") };
    assert!(expected.starts_with("---\npage_title: \"posit_sample Resource - posit\"\n"), "{expected}");
    assert!(expected.contains("\n# posit_sample (Resource)\n\nA sample.\n\n## Schema\n"), "{expected}");
}
