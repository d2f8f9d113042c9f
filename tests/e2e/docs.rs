//! The documentation and the examples, checked against the provider itself.
//!
//! The `## Schema` sections are docgen's alone: `tools/docgen` renders them from the provider's
//! schemas, built in process, and its test (`docs_pages_are_generated_from_the_schema`) fails when
//! a page differs from what it renders. This file checks the rest:
//!
//! - `docgens_input_is_what_terraform_sees`: the schemas docgen renders are the ones Terraform
//!   gets from the binary cargo built (`terraform providers schema -json`, through a workspace
//!   whose CLI configuration points `posit-dev/posit` at it): the same resources, data sources,
//!   list resources and identities, and in each the same attributes, nested ones too, with the
//!   same type, flags and description. (A Terraform too old to report list resources or
//!   identities has them compared by the newer one.)
//! - `docs_pages_cover_the_provider` (no Terraform): a page for the provider and for each
//!   resource, data source and list resource it serves (docgen creates a missing one), and none
//!   for anything else; each `# ` title names its type; the provider page's configuration table
//!   has one row per provider attribute; a resource with an identity shows its
//!   `import { identity = { ... } }`; the example files of each resource
//!   (`examples/resources/<type>/`), data source (`examples/data-sources/<type>/`; the
//!   `versions.tf` of both on the provider page), of the provider (`examples/provider/`) and of
//!   the Azure guide (`examples/azure-end-to-end/`) appear verbatim in the page, so the validated
//!   examples are the documented ones.
//!
//! `docs_pages_are_well_formed` needs no Terraform: Registry front matter (`page_title`,
//! `subcategory`, `description`) on every page, one `# ` title, and relative links and
//! `#anchors` that resolve. `docs_code_blocks_are_formatted` runs `terraform fmt -check` on
//! every `terraform`/`hcl` code block of the docs. `examples_are_formatted_and_valid` runs
//! `terraform fmt -check` on every directory of `.tf` files under `examples/` and
//! `terraform validate` on each by itself (its own files only, in a fresh workspace: so each
//! `examples/resources/*` and `examples/data-sources/*` folder carries a `versions.tf` with its
//! `required_providers`), except where a configuration needs another provider than this
//! one (`examples/azure-end-to-end/` needs `hashicorp/azuread`, which offline machines cannot
//! install): that directory's validation is skipped, with a message, and its README must say so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use terraform_provider_posit::provider::PositProvider;
use tfplugin::resource::Provider;
use tfplugin::schema::{AttributeKind, Block, IdentitySchema, Schema};

use crate::support::*;

const PROVIDER_ADDR: &str = "registry.terraform.io/posit-dev/posit";
const TYPE_PREFIX: &str = "posit_";

/// Guides whose configuration lives in an example directory, shown file by file.
const GUIDE_EXAMPLES: &[(&str, &str)] = &[
    ("docs/guides/azure.md", "examples/azure-end-to-end"),
    ("docs/guides/azure-openai-app.md", "examples/azure-openai-app"),
];

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> Option<String> {
    std::fs::read_to_string(repo_root().join(rel)).ok()
}

#[track_caller]
fn report(what: &str, problems: &[String]) {
    if !problems.is_empty() {
        panic!("{what}: {} problem(s):\n  - {}\n", problems.len(), problems.join("\n  - "));
    }
}

// ---------------------------------------------------------------------------------------------
// docgen's input is what Terraform sees
// ---------------------------------------------------------------------------------------------

/// The provider's schema (`provider_schemas["registry.terraform.io/posit-dev/posit"]`) as the
/// given Terraform reports it.
fn provider_schema(tf: &Terraform) -> Value {
    let ws = Workspace::new(tf);
    ws.write_main(&main_tf(&ProviderConfig::Env, ""));
    let run = ws.run(&["providers", "schema", "-json"]).ok();
    let json: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| run.fail(&format!("`terraform providers schema -json` printed no JSON: {e}")));
    let schema = json["provider_schemas"][PROVIDER_ADDR].clone();
    if !schema.is_object() {
        run.fail(&format!("the schema JSON has no provider_schemas[{PROVIDER_ADDR:?}]"));
    }
    schema
}

/// One attribute, as both sides can state it: `"string" [optional, computed] "description"`,
/// by its dotted path (`config.scopes`); `""` holds the schema's version and description.
type Rows = BTreeMap<String, String>;

const FLAGS: [&str; 6] = ["required", "optional", "computed", "sensitive", "write_only", "deprecated"];

fn row(ty: String, flag: impl Fn(&str) -> bool, description: &str) -> String {
    let flags: Vec<&str> = FLAGS.into_iter().filter(|f| flag(f)).collect();
    format!("{ty} [{}] {description:?}", flags.join(", "))
}

/// A nested attribute is `nested <mode>`, a nested block `block <mode>` (required when it must
/// appear, else optional), with the description of its block.
fn served_rows(block: &Value, prefix: &str, out: &mut Rows) {
    for (name, a) in block["attributes"].as_object().into_iter().flatten() {
        let path = format!("{prefix}{name}");
        let nested = a.get("nested_type").filter(|n| n.is_object());
        let ty = match nested {
            Some(n) => format!("nested {}", n["nesting_mode"].as_str().unwrap_or("single")),
            None => a["type"].to_string(),
        };
        let description = a["description"].as_str().unwrap_or_default();
        out.insert(path.clone(), row(ty, |f| a[f].as_bool().unwrap_or(false), description));
        if let Some(n) = nested {
            served_rows(n, &format!("{path}."), out);
        }
    }
    for (name, b) in block["block_types"].as_object().into_iter().flatten() {
        let path = format!("{prefix}{name}");
        let required = b["min_items"].as_u64().unwrap_or(0) > 0;
        let ty = format!("block {}", b["nesting_mode"].as_str().unwrap_or("single"));
        let flag = |f: &str| match f {
            "required" => required,
            "optional" => !required,
            _ => b["block"][f].as_bool().unwrap_or(false),
        };
        out.insert(path.clone(), row(ty, flag, b["block"]["description"].as_str().unwrap_or_default()));
        served_rows(&b["block"], &format!("{path}."), out);
    }
}

fn own_rows(block: &Block, prefix: &str, out: &mut Rows) {
    for a in &block.attributes {
        let path = format!("{prefix}{}", a.name);
        let ty = match &a.kind {
            AttributeKind::Single(_) if a.as_block => "block single".to_string(),
            AttributeKind::Single(_) => "nested single".to_string(),
            AttributeKind::Plain(t) => t.to_json().to_string(),
        };
        let flag = |f: &str| match f {
            "required" => a.required,
            "optional" => a.optional || (a.as_block && !a.required),
            "computed" => a.computed,
            "sensitive" => a.sensitive,
            "write_only" => a.write_only,
            _ => false,
        };
        out.insert(path.clone(), row(ty, flag, &a.description));
        if let AttributeKind::Single(b) = &a.kind {
            own_rows(b, &format!("{path}."), out);
        }
    }
}

fn served_schema(s: &Value) -> Rows {
    let description = s["block"]["description"].as_str().unwrap_or_default();
    let mut out = Rows::from([(String::new(), format!("version {} {description:?}", s["version"]))]);
    served_rows(&s["block"], "", &mut out);
    out
}

fn own_schema(s: &Schema) -> Rows {
    let mut out = Rows::from([(String::new(), format!("version {} {:?}", s.version, s.block.description))]);
    own_rows(&s.block, "", &mut out);
    out
}

fn identity_row(ty: String, required: bool, optional: bool, description: &str) -> String {
    format!("{ty} [required_for_import {required}, optional_for_import {optional}] {description:?}")
}

fn served_identity(s: &Value) -> Rows {
    let mut out = Rows::from([(String::new(), format!("version {}", s["version"]))]);
    for (name, a) in s["attributes"].as_object().into_iter().flatten() {
        let flag = |f: &str| a[f].as_bool().unwrap_or(false);
        let description = a["description"].as_str().unwrap_or_default();
        let row =
            identity_row(a["type"].to_string(), flag("required_for_import"), flag("optional_for_import"), description);
        out.insert(name.clone(), row);
    }
    out
}

fn own_identity(s: &IdentitySchema) -> Rows {
    let mut out = Rows::from([(String::new(), format!("version {}", s.version))]);
    for a in &s.attributes {
        let row =
            identity_row(a.ty.to_json().to_string(), a.required_for_import, !a.required_for_import, &a.description);
        out.insert(a.name.clone(), row);
    }
    out
}

/// What differs between Terraform's rows and docgen's, one line each.
fn compare_rows(what: &str, served: &Rows, own: &Rows, problems: &mut Vec<String>) {
    for path in served.keys().chain(own.keys()).collect::<BTreeSet<_>>() {
        let at = if path.is_empty() { what.to_string() } else { format!("{what}: `{path}`") };
        match (served.get(path), own.get(path)) {
            (Some(s), Some(o)) if s != o => {
                problems.push(format!("{at}: Terraform sees {s}\n      docgen renders {o}"))
            }
            (Some(s), None) => problems.push(format!("{at}: Terraform sees {s}; docgen has no such attribute")),
            (None, Some(o)) => problems.push(format!("{at}: docgen renders {o}; Terraform has no such attribute")),
            _ => {}
        }
    }
}

/// The names Terraform reports under `key`, against the provider's own; `None` when this
/// Terraform does not report that kind at all.
fn compare_names(
    schema: &Value,
    key: &str,
    own: &BTreeSet<String>,
    problems: &mut Vec<String>,
) -> Option<BTreeMap<String, Value>> {
    let served: BTreeMap<String, Value> = schema.get(key)?.as_object()?.clone().into_iter().collect();
    let names: BTreeSet<String> = served.keys().cloned().collect();
    if &names != own {
        problems.push(format!("{key}: Terraform sees {names:?}, docgen renders {own:?}"));
    }
    Some(served)
}

fn names<'a>(types: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    types.map(str::to_string).collect()
}

/// Every difference between the provider's schemas as Terraform reports them and as docgen
/// renders them (the provider built in process).
fn served_schema_problems(schema: &Value) -> Vec<String> {
    let provider = PositProvider::new();
    let mut problems = Vec::new();
    compare_rows(
        "the provider block",
        &served_schema(&schema["provider"]),
        &own_schema(provider.schema()),
        &mut problems,
    );

    let resources = provider.resources();
    let all = names(resources.iter().map(|r| r.type_name()));
    if let Some(served) = compare_names(schema, "resource_schemas", &all, &mut problems) {
        for r in resources.iter().filter(|r| served.contains_key(r.type_name())) {
            let what = format!("resource {}", r.type_name());
            compare_rows(&what, &served_schema(&served[r.type_name()]), &own_schema(r.schema()), &mut problems);
        }
    }
    let with_identity = names(resources.iter().filter(|r| r.identity_schema().is_some()).map(|r| r.type_name()));
    if let Some(served) = compare_names(schema, "resource_identity_schemas", &with_identity, &mut problems) {
        for r in &resources {
            if let (Some(s), Some(own)) = (served.get(r.type_name()), r.identity_schema()) {
                let what = format!("the identity of {}", r.type_name());
                compare_rows(&what, &served_identity(s), &own_identity(own), &mut problems);
            }
        }
    }
    let listed = names(resources.iter().filter(|r| r.list_schema().is_some()).map(|r| r.type_name()));
    if let Some(served) = compare_names(schema, "list_resource_schemas", &listed, &mut problems) {
        for r in &resources {
            if let (Some(s), Some(own)) = (served.get(r.type_name()), r.list_schema()) {
                let what = format!("list resource {}", r.type_name());
                compare_rows(&what, &served_schema(s), &own_schema(own), &mut problems);
            }
        }
    }
    let data_sources = provider.data_sources();
    let all = names(data_sources.iter().map(|d| d.type_name()));
    if let Some(served) = compare_names(schema, "data_source_schemas", &all, &mut problems) {
        for d in data_sources.iter().filter(|d| served.contains_key(d.type_name())) {
            let what = format!("data source {}", d.type_name());
            compare_rows(&what, &served_schema(&served[d.type_name()]), &own_schema(d.schema()), &mut problems);
        }
    }
    // Actions (Terraform 1.14+; an older one reports none, so only a newer one compares them).
    if schema.get("action_schemas").is_some() {
        let actions = provider.actions();
        let all = names(actions.iter().map(|a| a.type_name()));
        if let Some(served) = compare_names(schema, "action_schemas", &all, &mut problems) {
            for a in actions.iter().filter(|a| served.contains_key(a.type_name())) {
                let what = format!("action {}", a.type_name());
                // Terraform shows no version for an action's schema: actions have no state to upgrade.
                let mut served = served[a.type_name()].clone();
                served["version"] = served.get("version").cloned().filter(|v| !v.is_null()).unwrap_or(0.into());
                compare_rows(&what, &served_schema(&served), &own_schema(a.schema()), &mut problems);
            }
        }
    }
    // Kinds docgen has no pages for: the provider serves none.
    for key in ["ephemeral_resource_schemas", "functions"] {
        compare_names(schema, key, &BTreeSet::new(), &mut problems);
    }
    problems
}

#[test]
fn docgens_input_is_what_terraform_sees() {
    for_each_terraform(|tf| {
        let schema = provider_schema(tf);
        report(
            &format!("the schemas docgen renders are not what {tf} sees (`terraform providers schema -json`)"),
            &served_schema_problems(&schema),
        );
    });
}

/// The two sides' rows agree on the same schema, nested attributes and blocks included, and a
/// difference in a flag, a type or a description is reported.
#[test]
fn served_schema_check_fails_a_difference() {
    use tfplugin::schema::Attribute;
    use tfplugin::value::Type;
    let own = Schema::new(
        1,
        Block::new(
            "A thing.",
            vec![
                Attribute::string("name").required().describe("The name."),
                Attribute::of_type("tags", Type::Map(Box::new(Type::String))).optional(),
                Attribute::block("config", Block::new("", vec![Attribute::string("k").optional().sensitive()]))
                    .required()
                    .describe("The config."),
                Attribute::single("info", Block::new("", vec![Attribute::bool("on").computed()])).computed(),
            ],
        ),
    );
    let served = serde_json::json!({
        "version": 1,
        "block": {
            "description": "A thing.",
            "attributes": {
                "name": {"type": "string", "required": true, "description": "The name."},
                "tags": {"type": ["map", "string"], "optional": true},
                "info": {"computed": true, "nested_type": {
                    "nesting_mode": "single", "attributes": {"on": {"type": "bool", "computed": true}}
                }}
            },
            "block_types": {"config": {"nesting_mode": "single", "min_items": 1, "max_items": 1, "block": {
                "description": "The config.",
                "attributes": {"k": {"type": "string", "optional": true, "sensitive": true}}
            }}}
        }
    });
    let mut problems = Vec::new();
    compare_rows("t", &served_schema(&served), &own_schema(&own), &mut problems);
    assert_eq!(problems, Vec::<String>::new());

    let mut changed = served.clone();
    changed["block"]["attributes"]["name"]["description"] = "Another.".into();
    changed["block"]["attributes"]["tags"]["type"] = serde_json::json!(["map", "number"]);
    changed["block"]["block_types"]["config"]["block"]["attributes"]["k"]["sensitive"] = false.into();
    changed["block"]["attributes"]["extra"] = serde_json::json!({"type": "string", "optional": true});
    changed["block"]["attributes"]["info"]["nested_type"]["nesting_mode"] = "list".into();
    compare_rows("t", &served_schema(&changed), &own_schema(&own), &mut problems);
    let text = problems.join("\n");
    for needle in ["t: `name`", "\"Another.\"", "t: `tags`", "t: `config.k`", "t: `extra`: Terraform sees", "t: `info`"]
    {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
    assert_eq!(problems.len(), 5, "{text}");
}

// ---------------------------------------------------------------------------------------------
// Pages: one per thing served, its title, examples, configuration table, identity import
// ---------------------------------------------------------------------------------------------

/// The lines of `text` outside fenced code blocks, numbered from 1.
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut in_code = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            out.push((i + 1, line));
        }
    }
    out
}

/// The lines of the `## heading` section (up to the next `## `), outside code blocks.
fn section_lines<'a>(text: &'a str, heading: &str) -> Option<Vec<(usize, &'a str)>> {
    let lines = prose_lines(text);
    let start = lines.iter().position(|(_, l)| l.trim_end() == heading)?;
    Some(lines[start + 1..].iter().take_while(|(_, l)| !l.starts_with("## ")).copied().collect())
}

/// The first cells (`| \`name\` |`) of the table rows in the page's `## Configuration` section.
fn config_table_names(text: &str) -> Option<Vec<(usize, String)>> {
    let lines = section_lines(text, "## Configuration")?;
    Some(
        lines
            .into_iter()
            .filter_map(|(n, l)| {
                let cell = l.strip_prefix("| `")?;
                Some((n, cell.split('`').next()?.to_string()))
            })
            .collect(),
    )
}

fn md_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(md_files(&p));
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Files of an example directory that a page must show verbatim: `.tf` and `.sh`.
fn example_files(dir: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(repo_root().join(dir)) {
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "tf" || x == "sh") {
                let rel = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
                out.push((rel, std::fs::read_to_string(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

/// The file of a resource's or data source's example directory holding only its `terraform {
/// required_providers }` block, which makes the directory valid by itself. It is the same in
/// each, so the provider page shows it once (in `examples/provider/provider.tf`) rather than
/// every page. (A guide's directory has its own, which the guide shows.)
const VERSIONS_TF: &str = "versions.tf";

fn check_embedded(page: &str, text: &str, dir: &str, problems: &mut Vec<String>) {
    let files = example_files(dir);
    if files.is_empty() {
        problems.push(format!("{dir}/ has no example files for {page}"));
    }
    for (rel, content) in files {
        let per_type = dir.starts_with("examples/resources/") || dir.starts_with("examples/data-sources/");
        if per_type && rel.ends_with(&format!("/{VERSIONS_TF}")) {
            if !read("docs/index.md").unwrap_or_default().contains(content.trim_end()) {
                problems.push(format!(
                    "{rel} differs from the `terraform` block docs/index.md shows (examples/provider/provider.tf's): \
                     make them the same, since no other page shows it"
                ));
            }
            continue;
        }
        if !text.contains(content.trim_end()) {
            problems.push(format!("{page} does not show {rel} verbatim (copy the file into a code block of the page)"));
        }
    }
}

/// One page the provider's schemas call for (docgen writes its Schema section).
struct Served {
    /// `resource`, `data source`, `list resource` or `action`.
    kind: &'static str,
    label: &'static str,
    dir: &'static str,
    type_name: &'static str,
    identity: Vec<String>,
}

impl Served {
    fn page(&self) -> String {
        format!("{}/{}.md", self.dir, self.type_name.strip_prefix(TYPE_PREFIX).unwrap_or(self.type_name))
    }
}

/// Directories of pages docgen writes from the schemas, and those of kinds the provider does not
/// serve (which must stay empty).
const PAGE_DIRS: &[&str] = &[
    "docs/resources",
    "docs/data-sources",
    "docs/list-resources",
    "docs/ephemeral-resources",
    "docs/actions",
    "docs/functions",
];

fn served_pages(provider: &PositProvider) -> Vec<Served> {
    let mut out = Vec::new();
    for r in provider.resources() {
        let identity = r.identity_schema().map(|i| i.attributes.iter().map(|a| a.name.clone()).collect());
        let (type_name, identity) = (r.type_name(), identity.unwrap_or_default());
        out.push(Served { kind: "resource", label: "Resource", dir: "docs/resources", type_name, identity });
        if r.list_schema().is_some() {
            let (kind, label, dir) = ("list resource", "List Resource", "docs/list-resources");
            out.push(Served { kind, label, dir, type_name, identity: Vec::new() });
        }
    }
    for d in provider.data_sources() {
        let (kind, label, dir) = ("data source", "Data Source", "docs/data-sources");
        out.push(Served { kind, label, dir, type_name: d.type_name(), identity: Vec::new() });
    }
    for a in provider.actions() {
        let (kind, label, dir) = ("action", "Action", "docs/actions");
        out.push(Served { kind, label, dir, type_name: a.type_name(), identity: Vec::new() });
    }
    out
}

/// Every check of the pages against what the provider serves; the problems found.
fn page_coverage_problems() -> Vec<String> {
    let provider = PositProvider::new();
    let mut problems = Vec::new();

    // The provider block: docs/index.md's configuration table and example.
    match read("docs/index.md") {
        None => problems.push("docs/index.md is missing".into()),
        Some(text) => {
            let attributes: Vec<&str> = provider.schema().block.attributes.iter().map(|a| a.name.as_str()).collect();
            match config_table_names(&text) {
                None => problems.push(
                    "docs/index.md: no `## Configuration` section with a table of the provider's attributes".into(),
                ),
                Some(rows) => {
                    let names: BTreeSet<&str> = rows.iter().map(|(_, n)| n.as_str()).collect();
                    for a in attributes.iter().filter(|a| !names.contains(*a)) {
                        problems.push(format!(
                            "docs/index.md: the configuration table has no row for `{a}` (attribute, environment \
                             variable, default, description)"
                        ));
                    }
                    for (n, name) in rows.iter().filter(|(_, name)| !attributes.contains(&name.as_str())) {
                        problems.push(format!(
                            "docs/index.md:{n}: the configuration table has a row for `{name}`, which the provider \
                             block does not have"
                        ));
                    }
                }
            }
            check_embedded("docs/index.md", &text, "examples/provider", &mut problems);
        }
    }

    let served = served_pages(&provider);
    for s in &served {
        let (page, type_name) = (s.page(), s.type_name);
        let Some(text) = read(&page) else {
            problems.push(format!(
                "{page} is missing: the provider serves the {} `{type_name}`; `cargo run -p docgen` creates it \
                 (then write its example and prose)",
                s.kind
            ));
            continue;
        };
        let title = prose_lines(&text).into_iter().find(|(_, l)| l.starts_with("# ")).map(|(_, l)| l.to_string());
        if !title.as_deref().is_some_and(|t| t.contains(type_name)) {
            problems
                .push(format!("{page}: its `# ` title should name `{type_name}`, as `# {type_name} ({})`", s.label));
        }
        match s.kind {
            "data source" => {
                let dir = format!("examples/data-sources/{type_name}");
                if !repo_root().join(&dir).join("data-source.tf").is_file() {
                    problems.push(format!(
                        "{dir}/data-source.tf is missing: every data source has an example there (validated by \
                         `examples_are_formatted_and_valid`), shown verbatim in {page}"
                    ));
                }
                check_embedded(&page, &text, &dir, &mut problems);
            }
            "action" => {
                let dir = format!("examples/actions/{type_name}");
                if !repo_root().join(&dir).join("action.tf").is_file() {
                    problems.push(format!(
                        "{dir}/action.tf is missing: every action has an example there (validated by \
                         `examples_are_formatted_and_valid` on Terraform 1.14+), shown verbatim in {page}"
                    ));
                }
                check_embedded(&page, &text, &dir, &mut problems);
            }
            "resource" => {
                let dir = format!("examples/resources/{type_name}");
                if !repo_root().join(&dir).join("resource.tf").is_file() {
                    problems.push(format!(
                        "{dir}/resource.tf is missing: every resource has an example there (validated by \
                         `examples_are_formatted_and_valid`), shown verbatim in {page}"
                    ));
                }
                if text.contains("\n## Import") && !repo_root().join(&dir).join("import.sh").is_file() {
                    problems.push(format!(
                        "{dir}/import.sh is missing: {page} has an Import section, so show the \
                         `terraform import {type_name}.<name> <id>` command there"
                    ));
                }
                check_embedded(&page, &text, &dir, &mut problems);
                let block = text.find("identity = {").map(|i| &text[i..]).and_then(|t| t.split('}').next());
                for name in &s.identity {
                    if !block.is_some_and(|b| b.contains(&format!("{name} ="))) {
                        problems.push(format!(
                            "{page}: `{type_name}` has an identity; show importing it with \
                             `import {{ to = ... identity = {{ {name} = ... }} }}`"
                        ));
                    }
                }
            }
            _ => {}
        }
    }

    let pages: BTreeSet<String> = served.iter().map(Served::page).collect();
    for dir in PAGE_DIRS {
        for path in md_files(&repo_root().join(dir)) {
            let rel = path.strip_prefix(repo_root()).unwrap().to_string_lossy().to_string();
            if !pages.contains(&rel) {
                problems.push(format!("{rel} documents something the provider does not serve (served: {pages:?})"));
            }
        }
    }

    for (page, dir) in GUIDE_EXAMPLES {
        match read(page) {
            None => problems.push(format!("{page} is missing")),
            Some(text) => check_embedded(page, &text, dir, &mut problems),
        }
    }
    problems
}

#[test]
fn docs_pages_cover_the_provider() {
    report("the docs pages do not cover what the provider serves", &page_coverage_problems());
}

// ---------------------------------------------------------------------------------------------
// Pages, links, code blocks
// ---------------------------------------------------------------------------------------------

/// GitHub's anchor for a heading: lower case, spaces to `-`, other punctuation dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, line) in prose_lines(text) {
        if line.starts_with('#') {
            out.insert(slug(line.trim_start_matches('#')));
        }
        let mut rest = line;
        while let Some(i) = rest.find("id=\"") {
            rest = &rest[i + 4..];
            if let Some(end) = rest.find('"') {
                out.insert(rest[..end].to_string());
            }
        }
    }
    out
}

/// `](target)` links outside code blocks, with their line numbers.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in prose_lines(text) {
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            if let Some(end) = rest.find(')') {
                out.push((n, rest[..end].to_string()));
            }
        }
    }
    out
}

fn page_problems(path: &Path) -> Vec<String> {
    let rel = path.strip_prefix(repo_root()).unwrap_or(path).to_string_lossy().to_string();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut problems = Vec::new();

    // Registry front matter.
    let front = text.strip_prefix("---\n").and_then(|t| t.split_once("\n---\n")).map(|(f, _)| f);
    match front {
        None => problems.push(format!("{rel}: no front matter (`---` lines) at the top")),
        Some(front) => {
            for key in ["page_title", "subcategory", "description"] {
                if !front.lines().any(|l| l.starts_with(&format!("{key}:"))) {
                    problems.push(format!("{rel}: the front matter has no `{key}:`"));
                }
            }
        }
    }
    let titles = prose_lines(&text).into_iter().filter(|(_, l)| l.starts_with("# ")).count();
    if titles != 1 {
        problems.push(format!("{rel}: expected one `# ` title, found {titles}"));
    }

    let own = anchors(&text);
    for (n, target) in links(&text) {
        if target.starts_with("http://") || target.starts_with("https://") || target.starts_with("mailto:") {
            continue;
        }
        let (file, anchor) = match target.split_once('#') {
            Some((f, a)) => (f, Some(a)),
            None => (target.as_str(), None),
        };
        if file.is_empty() {
            if let Some(a) = anchor {
                if !own.contains(a) {
                    problems.push(format!("{rel}:{n}: no anchor `#{a}` in this page"));
                }
            }
            continue;
        }
        let dest = path.parent().unwrap().join(file);
        if !dest.exists() {
            problems.push(format!("{rel}:{n}: the link `{target}` points at nothing"));
        } else if let (Some(a), true) = (anchor, file.ends_with(".md")) {
            let other = std::fs::read_to_string(&dest).unwrap_or_default();
            if !anchors(&other).contains(a) {
                problems.push(format!("{rel}:{n}: `{file}` has no anchor `#{a}`"));
            }
        }
    }
    problems
}

/// A front matter value (`subcategory: "Guides"` → `Guides`); `None` without front matter or key.
fn front_matter_value(text: &str, key: &str) -> Option<String> {
    let front = text.strip_prefix("---\n").and_then(|t| t.split_once("\n---\n")).map(|(f, _)| f)?;
    let line = front.lines().find_map(|l| l.strip_prefix(&format!("{key}:")))?;
    Some(line.trim().trim_matches('"').to_string())
}

/// The Registry groups guides by `subcategory`: they share one, and not the empty one (which
/// would list them beside the resources).
fn guide_subcategory_problems(pages: &[PathBuf]) -> Vec<String> {
    let mut by_value: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in pages.iter().filter(|p| p.parent().is_some_and(|d| d.ends_with("docs/guides"))) {
        let rel = path.strip_prefix(repo_root()).unwrap_or(path).to_string_lossy().to_string();
        let text = std::fs::read_to_string(path).unwrap_or_default();
        by_value.entry(front_matter_value(&text, "subcategory").unwrap_or_default()).or_default().push(rel);
    }
    let mut problems = Vec::new();
    if by_value.len() > 1 {
        problems.push(format!("the guides must share one `subcategory` (\"Guides\"); they have {by_value:?}"));
    }
    if let Some(pages) = by_value.get("") {
        problems.push(format!("{pages:?}: a guide's `subcategory` must not be empty (\"Guides\")"));
    }
    problems
}

#[test]
fn guides_subcategory_check_fails_a_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let guides = dir.path().join("docs/guides");
    std::fs::create_dir_all(&guides).unwrap();
    let page = |name: &str, sub: &str| {
        let p = guides.join(name);
        std::fs::write(&p, format!("---\npage_title: \"x\"\nsubcategory: \"{sub}\"\ndescription: |-\n  x\n---\n# x\n"))
            .unwrap();
        p
    };
    let (a, b) = (page("a.md", "Guides"), page("b.md", "Guides"));
    assert_eq!(guide_subcategory_problems(&[a.clone(), b]), Vec::<String>::new());
    let c = page("c.md", "");
    let problems = guide_subcategory_problems(&[a, c]).join("\n");
    assert!(problems.contains("share one `subcategory`") && problems.contains("must not be empty"), "{problems}");
}

#[test]
fn docs_pages_are_well_formed() {
    let pages = md_files(&repo_root().join("docs"));
    assert!(pages.len() >= 3, "expected the docs pages under docs/, found {pages:?}");
    let mut problems: Vec<String> = pages.iter().flat_map(|p| page_problems(p)).collect();
    problems.extend(guide_subcategory_problems(&pages));
    // The README and CONTRIBUTING link into docs/ and examples/: those links must resolve too.
    for extra in ["README.md", "CONTRIBUTING.md", "examples/azure-end-to-end/README.md"] {
        let path = repo_root().join(extra);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (n, target) in links(&text) {
            let file = target.split('#').next().unwrap_or_default();
            if file.is_empty() || target.contains("://") {
                continue;
            }
            if !path.parent().unwrap().join(file).exists() {
                problems.push(format!("{extra}:{n}: the link `{target}` points at nothing"));
            }
        }
    }
    report("docs pages", &problems);
}

/// Every ```terraform / ```hcl block of the docs, as (page:line, code).
fn code_blocks() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for path in md_files(&repo_root().join("docs")) {
        let rel = path.strip_prefix(repo_root()).unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let mut current: Option<(usize, String)> = None;
        for (i, line) in text.lines().enumerate() {
            let fence = line.trim_start();
            match &mut current {
                None if fence == "```terraform" || fence == "```hcl" => current = Some((i + 1, String::new())),
                None => {}
                Some(_) if fence.starts_with("```") => {
                    let (n, code) = current.take().unwrap();
                    out.push((format!("{rel}:{n}"), code));
                }
                Some((_, code)) => {
                    code.push_str(line);
                    code.push('\n');
                }
            }
        }
    }
    out
}

#[test]
fn docs_code_blocks_are_formatted() {
    let blocks = code_blocks();
    assert!(!blocks.is_empty(), "no ```terraform code blocks found in docs/");
    for_each_terraform(|tf| {
        let ws = Workspace::new(tf);
        let dir = ws.path().join("blocks");
        std::fs::create_dir(&dir).unwrap();
        let mut names = BTreeMap::new();
        for (i, (origin, code)) in blocks.iter().enumerate() {
            let name = format!("block{i:03}.tf");
            std::fs::write(dir.join(&name), code).unwrap();
            names.insert(name, origin.clone());
        }
        // `fmt` parses each file (a syntax error fails it) and lists those it would change.
        let run = ws.run(&["fmt", "-check", "-diff", "-no-color", "blocks"]);
        if !run.success() {
            let which: Vec<String> = names
                .iter()
                .filter(|(n, _)| run.output().contains(n.as_str()))
                .map(|(n, o)| format!("{n} = the block at {o}"))
                .collect();
            run.fail(&format!(
                "docs code blocks are not valid or not formatted as `terraform fmt` writes them:\n  {}",
                which.join("\n  ")
            ));
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Examples
// ---------------------------------------------------------------------------------------------

/// Directories under `examples/` that hold `.tf` files, relative to the repository.
fn example_dirs() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let mut has_tf = false;
        for e in entries.flatten() {
            let p = e.path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.is_dir() && !name.starts_with('.') {
                walk(&p, out);
            } else if name.ends_with(".tf") {
                has_tf = true;
            }
        }
        if has_tf {
            out.push(dir.to_path_buf());
        }
    }
    let mut dirs = Vec::new();
    walk(&repo_root().join("examples"), &mut dirs);
    let mut rel: Vec<String> =
        dirs.iter().map(|d| d.strip_prefix(repo_root()).unwrap().to_string_lossy().to_string()).collect();
    rel.sort();
    rel
}

/// The `source = "..."` of every provider the files require.
fn required_sources(files: &[(String, String)]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, text) in files {
        for line in text.lines() {
            let l = line.trim();
            if let Some(rest) = l.strip_prefix("source") {
                if let Some(v) = rest.trim_start().strip_prefix('=') {
                    out.insert(v.trim().trim_matches('"').to_string());
                }
            }
        }
    }
    out
}

/// `terraform validate` of one example directory by itself: its files and nothing else in a fresh
/// workspace (no `terraform` block added, no other directory's variables), as a user who copies
/// the directory would run it. Terraform cannot `init` offline, so `posit-dev/posit` comes from
/// the workspace's dev override; a directory without `required_providers` means
/// `hashicorp/posit`, which no override serves, and fails. The problems found, if any.
fn validate_alone(tf: &Terraform, dir: &str, files: &[(String, String)]) -> Vec<String> {
    let ws = Workspace::new(tf);
    for (name, text) in files {
        ws.write_file(name, text);
    }
    let mut present: Vec<String> = std::fs::read_dir(ws.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".tf") || n.ends_with(".tf.json"))
        .collect();
    present.sort();
    let mut expected: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    expected.sort();
    assert_eq!(present, expected, "{dir}: the workspace must hold the example's files only");

    let run = ws.run(&["validate", "-json", "-no-color"]);
    let json: Value = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    // The one warning every run gives here: dev_overrides are in effect.
    let diagnostics: Vec<Value> = json["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d["summary"] != "Provider development overrides are in effect")
        .collect();
    if run.success() && json["valid"] == true && diagnostics.is_empty() {
        return Vec::new();
    }
    let hint = if run.output().contains("hashicorp/posit") {
        "\n(no `required_providers` names posit-dev/posit: add a versions.tf like the other example directories')"
    } else {
        ""
    };
    vec![format!(
        "{dir}: `terraform validate` of the directory by itself is not clean (exit {:?}):\n{}\n{}{hint}",
        run.exit_code,
        serde_json::to_string_pretty(&diagnostics).unwrap_or_default(),
        run.stderr.trim()
    )]
}

#[test]
fn examples_are_formatted_and_valid() {
    let dirs = example_dirs();
    for expected in ["examples/demo", "examples/provider", "examples/azure-end-to-end"] {
        assert!(dirs.iter().any(|d| d == expected), "{expected}/ has no .tf files (found {dirs:?})");
    }
    assert!(
        dirs.iter().any(|d| d.starts_with("examples/resources/")),
        "no examples/resources/<type>/ directory with .tf files (found {dirs:?})"
    );

    // Each folder a page shows is valid by itself, so it declares where `posit_*` comes from.
    for dir in dirs.iter().filter(|d| {
        ["examples/resources/", "examples/data-sources/", "examples/actions/"].iter().any(|p| d.starts_with(p))
    }) {
        let versions = std::fs::read_to_string(repo_root().join(dir).join(VERSIONS_TF)).unwrap_or_default();
        assert!(
            required_sources(&[(VERSIONS_TF.into(), versions)]).contains("posit-dev/posit"),
            "{dir}/{VERSIONS_TF} should hold `terraform {{ required_providers {{ posit = {{ source = \"posit-dev/posit\" }} }} }}`"
        );
    }

    // import.sh: shell syntax, and the command it shows.
    for dir in dirs.iter().filter(|d| d.starts_with("examples/resources/")) {
        let type_name = dir.rsplit('/').next().unwrap();
        let script = repo_root().join(dir).join("import.sh");
        let Ok(text) = std::fs::read_to_string(&script) else { continue };
        assert!(
            text.contains(&format!("terraform import {type_name}.")),
            "{dir}/import.sh should show `terraform import {type_name}.<name> <id>`"
        );
        let syntax = std::process::Command::new("bash").arg("-n").arg(&script).output().expect("run bash -n");
        assert!(syntax.status.success(), "{dir}/import.sh: {}", String::from_utf8_lossy(&syntax.stderr));
    }

    for_each_terraform(|tf| {
        let mut problems = Vec::new();
        for dir in &dirs {
            let src = repo_root().join(dir);
            let files: Vec<(String, String)> = std::fs::read_dir(&src)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "tf"))
                .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), std::fs::read_to_string(&p).unwrap()))
                .collect();
            let ws = Workspace::new(tf);

            // fmt -check on the directory itself (it only reads).
            let fmt = ws.run(&["fmt", "-check", "-diff", "-no-color", &src.to_string_lossy()]);
            if !fmt.success() {
                problems.push(format!("{dir}: not formatted as `terraform fmt` writes it:\n{}", fmt.output().trim()));
            }

            // validate on a copy, against the provider under test.
            let others: Vec<String> = required_sources(&files).into_iter().filter(|s| s != "posit-dev/posit").collect();
            if !others.is_empty() {
                eprintln!(
                    "e2e: {dir}: `terraform validate` skipped: it needs {others:?}, which `terraform init` would \
                     download and this machine cannot; `terraform fmt -check` passed"
                );
                let readme = std::fs::read_to_string(src.join("README.md")).unwrap_or_default();
                if !readme.contains("validate") {
                    problems.push(format!("{dir}: validation is skipped, so its README.md must say so"));
                }
                continue;
            }
            if !tf.at_least(1, 14) && dir.starts_with("examples/actions/") {
                eprintln!("e2e: {dir}: `terraform validate` skipped: action blocks need Terraform 1.14");
                continue;
            }
            if !tf.at_least(1, 11) && files.iter().any(|(_, t)| t.contains("ephemeral")) {
                eprintln!("e2e: {dir}: `terraform validate` skipped: write-only arguments need Terraform 1.11");
                continue;
            }
            problems.extend(validate_alone(tf, dir, &files));
        }
        report(&format!("examples (with {tf})"), &problems);
    });
}

// ---------------------------------------------------------------------------------------------
// The checker itself
// ---------------------------------------------------------------------------------------------

/// `validate_alone` fails the two mistakes a user copying an example directory would hit, which
/// the check missed while it added a `required_providers` block of its own.
#[test]
fn example_validation_fails_a_directory_that_is_not_self_contained() {
    let versions = read(&format!("examples/data-sources/posit_connect_server/{VERSIONS_TF}")).expect("versions.tf");
    let data = ("data-source.tf".to_string(), "data \"posit_connect_server\" \"this\" {}\n".to_string());
    for_each_terraform(|tf| {
        let good = [data.clone(), (VERSIONS_TF.to_string(), versions.clone())];
        assert_eq!(validate_alone(tf, "good", &good), Vec::<String>::new());

        let no_versions = validate_alone(tf, "no-versions", std::slice::from_ref(&data)).join("\n");
        assert!(no_versions.contains("hashicorp/posit"), "{no_versions}");

        let undeclared = (
            "output.tf".to_string(),
            "output \"url\" {\n  value = \"${data.posit_connect_server.this.url}/${var.missing}\"\n}\n".to_string(),
        );
        let problems = validate_alone(tf, "undeclared", &[good[0].clone(), good[1].clone(), undeclared]).join("\n");
        assert!(problems.contains("undeclared input variable"), "{problems}");
    });
}
