//! The documentation and the examples, checked against the provider itself.
//!
//! `docs_match_the_schema` asks Terraform for the provider's schema (`terraform providers
//! schema -json`, through a workspace whose CLI configuration points `posit-dev/posit` at the
//! binary cargo built), so a new attribute, resource or data source is checked the day it is
//! added. For the provider block and every resource, data source and ephemeral resource in
//! that schema:
//!
//! - the page exists: `docs/index.md`, `docs/resources/<name without posit_>.md`,
//!   `docs/data-sources/...`, `docs/ephemeral-resources/...` (and no page documents something
//!   the provider does not serve);
//! - its `## Schema` section lists every attribute, nested ones too (`config.client_secret_wo`
//!   is the bullet `client_secret_wo` under `### Nested Schema for \`config\``), as the
//!   Registry's format has it: `- \`name\` (Type, Sensitive, Write-only) description` under
//!   `### Required`, `### Optional` or `### Read-Only`; type, section and flags must match;
//! - the list names no attribute the schema lacks;
//! - the provider page's configuration table has one row per provider attribute;
//! - a resource with an identity documents its `identity = { ... }` import;
//! - the example files of each resource (`examples/resources/<type>/`), data source
//!   (`examples/data-sources/<type>/`; the `versions.tf` of both on the provider page), of the provider
//!   (`examples/provider/`) and of the Azure guide (`examples/azure-end-to-end/`) appear verbatim
//!   in the page, so the validated examples are the documented ones.
//!
//! A failure lists everything missing, extra or different, with the bullet line to add.
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

use crate::support::*;

const PROVIDER_ADDR: &str = "registry.terraform.io/posit-dev/posit";
const TYPE_PREFIX: &str = "posit_";

/// Guides whose configuration lives in an example directory, shown file by file.
const GUIDE_EXAMPLES: &[(&str, &str)] = &[("docs/guides/azure.md", "examples/azure-end-to-end")];

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> Option<String> {
    std::fs::read_to_string(repo_root().join(rel)).ok()
}

// ---------------------------------------------------------------------------------------------
// The schema
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Required,
    Optional,
    ReadOnly,
}

impl Section {
    fn heading(self) -> &'static str {
        match self {
            Section::Required => "Required",
            Section::Optional => "Optional",
            Section::ReadOnly => "Read-Only",
        }
    }

    fn parse(s: &str) -> Option<Section> {
        match s.trim().trim_end_matches(':') {
            "Required" => Some(Section::Required),
            "Optional" => Some(Section::Optional),
            "Read-Only" => Some(Section::ReadOnly),
            _ => None,
        }
    }
}

/// One attribute (or nested block) of a schema, as its docs bullet should describe it.
#[derive(Clone, Debug)]
struct SchemaAttr {
    /// Dotted from the top: `config.client_secret_wo`.
    path: String,
    section: Section,
    /// The Registry's type label: `String`, `Number`, `Boolean`, `List of String`,
    /// `Attributes`, `Block List`...
    ty: String,
    sensitive: bool,
    write_only: bool,
    deprecated: bool,
    description: String,
}

impl SchemaAttr {
    fn flags(&self) -> Vec<&'static str> {
        let mut f = Vec::new();
        if self.sensitive {
            f.push("Sensitive");
        }
        if self.write_only {
            f.push("Write-only");
        }
        if self.deprecated {
            f.push("Deprecated");
        }
        f
    }

    fn name(&self) -> &str {
        self.path.rsplit('.').next().unwrap_or(&self.path)
    }

    fn parent(&self) -> Option<&str> {
        self.path.rsplit_once('.').map(|(p, _)| p)
    }

    /// Where the bullet goes: `### Optional`, or `Optional:` under `### Nested Schema for \`config\``.
    fn place(&self) -> String {
        match self.parent() {
            None => format!("`### {}`", self.section.heading()),
            Some(p) => format!("`{}:` under `### Nested Schema for \\`{p}\\``", self.section.heading()),
        }
    }

    /// The bullet line to write for this attribute.
    fn bullet(&self) -> String {
        let mut inside = vec![self.ty.clone()];
        inside.extend(self.flags().iter().map(|s| s.to_string()));
        let description = self.description.replace('\n', " ");
        format!("- `{}` ({}) {}", self.name(), inside.join(", "), description).trim_end().to_string()
    }
}

fn type_label(t: &Value) -> String {
    match t {
        Value::String(s) => match s.as_str() {
            "string" => "String".into(),
            "number" => "Number".into(),
            "bool" => "Boolean".into(),
            "dynamic" => "Dynamic".into(),
            other => other.to_string(),
        },
        Value::Array(parts) => match parts.first().and_then(Value::as_str) {
            Some("list") => format!("List of {}", type_label(&parts[1])),
            Some("set") => format!("Set of {}", type_label(&parts[1])),
            Some("map") => format!("Map of {}", type_label(&parts[1])),
            Some("object") => "Object".into(),
            Some("tuple") => "Tuple".into(),
            _ => t.to_string(),
        },
        _ => t.to_string(),
    }
}

fn nested_label(mode: &str) -> String {
    match mode {
        "list" => "List of Attributes".into(),
        "set" => "Set of Attributes".into(),
        "map" => "Map of Attributes".into(),
        _ => "Attributes".into(),
    }
}

fn block_label(mode: &str) -> String {
    match mode {
        "list" => "Block List".into(),
        "set" => "Block Set".into(),
        "map" => "Block Map".into(),
        _ => "Block".into(),
    }
}

/// The fields of an object type (or of the objects in a list, set or map), which the docs list
/// as nested attributes in their parent's section.
fn object_fields(t: &Value, parent: &str, section: Section, out: &mut Vec<SchemaAttr>) {
    let Some(parts) = t.as_array() else { return };
    match parts.first().and_then(Value::as_str) {
        Some("list" | "set" | "map") => object_fields(&parts[1], parent, section, out),
        Some("object") => {
            if let Some(fields) = parts.get(1).and_then(Value::as_object) {
                for (name, ft) in fields {
                    let path = format!("{parent}.{name}");
                    out.push(SchemaAttr {
                        path: path.clone(),
                        section,
                        ty: type_label(ft),
                        sensitive: false,
                        write_only: false,
                        deprecated: false,
                        description: String::new(),
                    });
                    object_fields(ft, &path, section, out);
                }
            }
        }
        _ => {}
    }
}

/// Every attribute of `block` (a schema `block`, or a `nested_type`), depth first.
fn schema_attrs(block: &Value, prefix: &str, out: &mut Vec<SchemaAttr>) {
    let flag = |v: &Value, k: &str| v[k].as_bool().unwrap_or(false);
    if let Some(attrs) = block["attributes"].as_object() {
        for (name, a) in attrs {
            let path = format!("{prefix}{name}");
            let section = if flag(a, "required") {
                Section::Required
            } else if flag(a, "optional") {
                Section::Optional
            } else {
                Section::ReadOnly
            };
            let nested = a.get("nested_type").filter(|n| n.is_object());
            let ty = match nested {
                Some(n) => nested_label(n["nesting_mode"].as_str().unwrap_or("single")),
                None => type_label(&a["type"]),
            };
            out.push(SchemaAttr {
                path: path.clone(),
                section,
                ty,
                sensitive: flag(a, "sensitive"),
                write_only: flag(a, "write_only"),
                deprecated: flag(a, "deprecated"),
                description: a["description"].as_str().unwrap_or_default().to_string(),
            });
            if let Some(n) = nested {
                schema_attrs(n, &format!("{path}."), out);
            } else {
                object_fields(&a["type"], &path, section, out);
            }
        }
    }
    if let Some(blocks) = block["block_types"].as_object() {
        for (name, b) in blocks {
            let path = format!("{prefix}{name}");
            let section = if b["min_items"].as_u64().unwrap_or(0) > 0 { Section::Required } else { Section::Optional };
            out.push(SchemaAttr {
                path: path.clone(),
                section,
                ty: block_label(b["nesting_mode"].as_str().unwrap_or("single")),
                sensitive: false,
                write_only: false,
                deprecated: flag(&b["block"], "deprecated"),
                description: b["block"]["description"].as_str().unwrap_or_default().to_string(),
            });
            schema_attrs(&b["block"], &format!("{path}."), out);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The docs
// ---------------------------------------------------------------------------------------------

/// One `- \`name\` (...)` bullet of a page's `## Schema` section.
#[derive(Clone, Debug)]
struct DocAttr {
    path: String,
    section: Option<Section>,
    ty: String,
    flags: Vec<String>,
    line: usize,
}

/// `[text](url)` → `text` (the url may hold parentheses).
fn strip_links(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|i| open + i) else { break };
        let mut depth = 0;
        let mut end = None;
        for (i, c) in rest[close + 1..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(close + 1 + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(end) = end else { break };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `- \`name\` (Type, Flag, ...) description` → (name, [Type, Flag...]).
fn parse_bullet(line: &str) -> Option<(String, Vec<String>)> {
    let rest = line.strip_prefix("- `")?;
    let (name, rest) = rest.split_once('`')?;
    let rest = rest.strip_prefix(" (")?;
    let mut depth = 1;
    let mut end = None;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    end = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let inside = strip_links(&rest[..end?]);
    Some((name.to_string(), inside.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect()))
}

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

/// The attribute bullets of a page's `## Schema` section; `None` without such a section.
///
/// Nested attributes are listed either under `### Nested Schema for \`config\`` (with
/// `Required:` / `Optional:` / `Read-Only:` lines), or as bullets indented under their
/// parent's bullet, which then share the parent's section.
fn doc_attrs(text: &str) -> Option<Vec<DocAttr>> {
    let lines = section_lines(text, "## Schema")?;
    let mut out = Vec::new();
    let mut prefix = String::new();
    let mut section = None;
    // Enclosing bullets: (indent, path, section).
    let mut parents: Vec<(usize, String, Option<Section>)> = Vec::new();
    for (n, line) in lines {
        let line = line.trim_end();
        let indent = line.len() - line.trim_start().len();
        if let Some(h) = line.strip_prefix("### ") {
            parents.clear();
            if let Some(rest) = h.strip_prefix("Nested Schema for `") {
                prefix = format!("{}.", rest.trim_end_matches('`'));
                section = None;
            } else {
                prefix.clear();
                section = Section::parse(h);
            }
        } else if let Some(s) = Section::parse(line).filter(|_| line.ends_with(':') && indent == 0) {
            parents.clear();
            section = Some(s);
        } else if let Some((name, mut tokens)) = parse_bullet(line.trim_start()) {
            while parents.last().is_some_and(|(i, _, _)| *i >= indent) {
                parents.pop();
            }
            let (path, sec) = match parents.last() {
                Some((_, parent, sec)) => (format!("{parent}.{name}"), *sec),
                None => (format!("{prefix}{name}"), section),
            };
            let ty = if tokens.is_empty() { String::new() } else { tokens.remove(0) };
            out.push(DocAttr { path: path.clone(), section: sec, ty, flags: tokens, line: n });
            parents.push((indent, path, sec));
        }
    }
    Some(out)
}

/// Compares a page's `## Schema` bullets with the schema's attributes; returns the problems.
fn compare_attrs(page: &str, text: &str, expected: &[SchemaAttr]) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(documented) = doc_attrs(text) else {
        let mut p = format!("{page}: no `## Schema` section; it should list:");
        for a in expected {
            p += &format!("\n      {}  [{}]", a.bullet(), a.place());
        }
        return vec![p];
    };
    let mut by_path: BTreeMap<&str, &DocAttr> = BTreeMap::new();
    for d in &documented {
        if let Some(first) = by_path.insert(&d.path, d) {
            problems.push(format!("{page}:{}: `{}` is listed twice (also line {})", d.line, d.path, first.line));
        }
    }
    let known: BTreeSet<&str> = expected.iter().map(|a| a.path.as_str()).collect();
    for a in expected {
        let Some(d) = by_path.get(a.path.as_str()) else {
            problems.push(format!(
                "{page}: `{}` is not documented; add under {}:\n      {}",
                a.path,
                a.place(),
                a.bullet()
            ));
            continue;
        };
        if d.section != Some(a.section) {
            problems.push(format!(
                "{page}:{}: `{}` is listed under {}, but the schema makes it {} (move it under {})",
                d.line,
                a.path,
                d.section.map_or("no Required/Optional/Read-Only heading", Section::heading),
                a.section.heading(),
                a.place()
            ));
        }
        if !d.ty.eq_ignore_ascii_case(&a.ty) {
            problems.push(format!("{page}:{}: `{}` says type `{}`, the schema's is `{}`", d.line, a.path, d.ty, a.ty));
        }
        let doc_flags: BTreeSet<String> = d.flags.iter().map(|f| f.to_ascii_lowercase()).collect();
        for (flag, wanted) in [("Sensitive", a.sensitive), ("Write-only", a.write_only), ("Deprecated", a.deprecated)] {
            let has = doc_flags.contains(&flag.to_ascii_lowercase());
            if has != wanted {
                problems.push(format!(
                    "{page}:{}: `{}` {} `{flag}` in its parentheses, but the schema {}",
                    d.line,
                    a.path,
                    if has { "says" } else { "does not say" },
                    if wanted { "marks it so" } else { "does not" }
                ));
            }
        }
    }
    for d in &documented {
        if !known.contains(d.path.as_str()) {
            problems.push(format!(
                "{page}:{}: `{}` is documented but the provider's schema has no such attribute (removed or renamed?)",
                d.line, d.path
            ));
        }
    }
    problems
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

/// The kinds of things a provider serves, where their pages live, and their names in titles.
struct Kind {
    key: &'static str,
    dir: &'static str,
    label: &'static str,
    /// Check that no page in `dir` documents something the schema lacks. Only for kinds every
    /// Terraform the suite runs reports (an older one leaves newer kinds out of the JSON).
    check_extra_pages: bool,
}

const KINDS: &[Kind] = &[
    Kind { key: "resource_schemas", dir: "docs/resources", label: "Resource", check_extra_pages: true },
    Kind { key: "data_source_schemas", dir: "docs/data-sources", label: "Data Source", check_extra_pages: true },
    Kind {
        key: "ephemeral_resource_schemas",
        dir: "docs/ephemeral-resources",
        label: "Ephemeral Resource",
        check_extra_pages: true,
    },
    Kind { key: "list_resource_schemas", dir: "docs/list-resources", label: "List Resource", check_extra_pages: false },
    Kind { key: "action_schemas", dir: "docs/actions", label: "Action", check_extra_pages: false },
];

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

/// Every check of a schema against the docs; the problems found.
fn check_docs_against(schema: &Value) -> Vec<String> {
    let mut problems = Vec::new();

    // The provider block: docs/index.md, its Schema section and its configuration table.
    let mut provider_attrs = Vec::new();
    schema_attrs(&schema["provider"]["block"], "", &mut provider_attrs);
    match read("docs/index.md") {
        None => problems.push("docs/index.md is missing".into()),
        Some(text) => {
            problems.extend(compare_attrs("docs/index.md", &text, &provider_attrs));
            match config_table_names(&text) {
                None => problems.push(
                    "docs/index.md: no `## Configuration` section with a table of the provider's attributes".into(),
                ),
                Some(rows) => {
                    let names: BTreeSet<&str> = rows.iter().map(|(_, n)| n.as_str()).collect();
                    for a in provider_attrs.iter().filter(|a| a.parent().is_none()) {
                        if !names.contains(a.path.as_str()) {
                            problems.push(format!(
                                "docs/index.md: the configuration table has no row for `{}` (attribute, environment variable, default, description)",
                                a.path
                            ));
                        }
                    }
                    for (n, name) in &rows {
                        if !provider_attrs.iter().any(|a| &a.path == name) {
                            problems.push(format!(
                                "docs/index.md:{n}: the configuration table has a row for `{name}`, which the provider block does not have"
                            ));
                        }
                    }
                }
            }
            check_embedded("docs/index.md", &text, "examples/provider", &mut problems);
        }
    }

    // Resources, data sources, ...
    for kind in KINDS {
        let served: BTreeMap<String, Value> = schema[kind.key]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let mut pages = BTreeSet::new();
        for (type_name, s) in &served {
            let short = type_name.strip_prefix(TYPE_PREFIX).unwrap_or(type_name);
            let page = format!("{}/{short}.md", kind.dir);
            pages.insert(page.clone());
            let mut attrs = Vec::new();
            schema_attrs(&s["block"], "", &mut attrs);
            let Some(text) = read(&page) else {
                let mut p = format!(
                    "{page} is missing: the provider serves the {} `{type_name}`. Write it in the Registry format \
                     (front matter, `# {type_name} ({})`, an example, `## Schema`); its Schema section should list:",
                    kind.label.to_lowercase(),
                    kind.label
                );
                for a in &attrs {
                    p += &format!("\n      {}  [{}]", a.bullet(), a.place());
                }
                problems.push(p);
                continue;
            };
            let title = prose_lines(&text).into_iter().find(|(_, l)| l.starts_with("# ")).map(|(_, l)| l.to_string());
            if !title.as_deref().is_some_and(|t| t.contains(type_name.as_str())) {
                problems.push(format!(
                    "{page}: its `# ` title should name `{type_name}`, as `# {type_name} ({})`",
                    kind.label
                ));
            }
            problems.extend(compare_attrs(&page, &text, &attrs));

            if kind.key == "data_source_schemas" {
                let dir = format!("examples/data-sources/{type_name}");
                if !repo_root().join(&dir).join("data-source.tf").is_file() {
                    problems.push(format!(
                        "{dir}/data-source.tf is missing: every data source has an example there (validated by \
                         `examples_are_formatted_and_valid`), shown verbatim in {page}"
                    ));
                }
                check_embedded(&page, &text, &dir, &mut problems);
            }
            if kind.key == "resource_schemas" {
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
                if let Some(identity) =
                    schema["resource_identity_schemas"][type_name.as_str()]["attributes"].as_object()
                {
                    let block = text.find("identity = {").map(|i| &text[i..]).and_then(|t| t.split('}').next());
                    for name in identity.keys() {
                        if !block.is_some_and(|b| b.contains(&format!("{name} ="))) {
                            problems.push(format!(
                                "{page}: `{type_name}` has an identity; show importing it with \
                                 `import {{ to = ... identity = {{ {name} = ... }} }}`"
                            ));
                        }
                    }
                }
            }
        }
        if kind.check_extra_pages {
            for path in md_files(&repo_root().join(kind.dir)) {
                let rel = path.strip_prefix(repo_root()).unwrap().to_string_lossy().to_string();
                if !pages.contains(&rel) {
                    problems.push(format!(
                        "{rel} documents a {} the provider does not serve (served: {:?})",
                        kind.label.to_lowercase(),
                        served.keys().collect::<Vec<_>>()
                    ));
                }
            }
        }
    }
    if let Some(functions) = schema["functions"].as_object() {
        for name in functions.keys() {
            let page = format!("docs/functions/{name}.md");
            if read(&page).is_none() {
                problems.push(format!("{page} is missing: the provider serves the function `{name}`"));
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

#[track_caller]
fn report(what: &str, problems: &[String]) {
    if !problems.is_empty() {
        panic!("{what}: {} problem(s):\n  - {}\n", problems.len(), problems.join("\n  - "));
    }
}

#[test]
fn docs_match_the_schema() {
    for_each_terraform(|tf| {
        let schema = provider_schema(tf);
        report(&format!("the docs do not match the provider's schema (from {tf})"), &check_docs_against(&schema));
    });
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
    for dir in dirs.iter().filter(|d| d.starts_with("examples/resources/") || d.starts_with("examples/data-sources/")) {
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

#[test]
fn checker_catches_drift() {
    let schema = serde_json::json!({
        "block": {
            "attributes": {
                "name": {"type": "string", "required": true, "description": "The name."},
                "id": {"type": "string", "computed": true},
                "tags": {"type": ["map", "string"], "optional": true},
                "config": {
                    "required": true,
                    "nested_type": {
                        "nesting_mode": "single",
                        "attributes": {
                            "secret_wo": {"type": "string", "optional": true, "sensitive": true, "write_only": true},
                            "mode": {"type": "string", "optional": true, "computed": true},
                        }
                    }
                }
            }
        }
    });
    let mut attrs = Vec::new();
    schema_attrs(&schema["block"], "", &mut attrs);
    let paths: Vec<&str> = attrs.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(paths, ["config", "config.mode", "config.secret_wo", "id", "name", "tags"]);

    let good = "\
## Schema

### Required

- `name` (String) The name.
- `config` (Attributes) See [below](#nestedatt--config).

### Optional

- `tags` (Map of String) Tags.

### Read-Only

- `id` (String) The id.

```terraform
- `not_an_attribute` (String) inside a code block
```

<a id=\"nestedatt--config\"></a>
### Nested Schema for `config`

Optional:

- `secret_wo` (String, Sensitive, [Write-only](https://example.org/(x))) Never stored.
- `mode` (String) Computed when omitted.

## Import
- `after_the_schema` (String) not part of it
";
    assert_eq!(compare_attrs("good.md", good, &attrs), Vec::<String>::new());

    let bad = good
        .replace("- `tags` (Map of String) Tags.\n", "- `tag` (Map of String) Tags.\n")
        .replace("(String, Sensitive, [Write-only](https://example.org/(x)))", "(String, Sensitive)")
        .replace("- `id` (String) The id.", "- `id` (Number) The id.")
        .replace("### Required\n\n- `name`", "### Optional\n\n- `name`");
    let problems = compare_attrs("bad.md", &bad, &attrs);
    let text = problems.join("\n");
    for needle in [
        "`tags` is not documented",
        "- `tags` (Map of String)",
        "`tag` is documented but the provider's schema has no such attribute",
        "`config.secret_wo` does not say `Write-only`",
        "`id` says type `Number`, the schema's is `String`",
        "`name` is listed under Optional, but the schema makes it Required",
        "`config` is listed under Optional, but the schema makes it Required",
    ] {
        assert!(text.contains(needle), "expected {needle:?} among:\n{text}");
    }
    assert_eq!(problems.len(), 6, "{text}");

    assert_eq!(slug("Nested Schema for `config`"), "nested-schema-for-config");
    assert_eq!(slug("The client secret"), "the-client-secret");
}

#[test]
fn checker_reads_indented_nested_bullets() {
    let schema = serde_json::json!({
        "block": {
            "attributes": {
                "guid": {"type": "string", "optional": true},
                "config": {
                    "computed": true,
                    "nested_type": {
                        "nesting_mode": "single",
                        "attributes": {"scopes": {"type": "string", "computed": true}}
                    }
                },
                "items": {
                    "computed": true,
                    "nested_type": {
                        "nesting_mode": "list",
                        "attributes": {"name": {"type": "string", "computed": true}}
                    }
                },
                "rows": {"computed": true, "type": ["list", ["object", {"size": "number"}]]}
            }
        }
    });
    let mut attrs = Vec::new();
    schema_attrs(&schema["block"], "", &mut attrs);
    let doc = "\
## Schema

### Optional

- `guid` (String) The guid.

### Read-Only

- `config` (Attributes) The configuration:
  - `scopes` (String) The scopes.
- `items` (List of Attributes) Each item:
    - `name` (String) Its name,
      on two lines.
- `rows` (List of Object) Each row:
  - `size` (Number) Its size.
";
    assert_eq!(compare_attrs("indented.md", doc, &attrs), Vec::<String>::new());
    let missing = compare_attrs("indented.md", &doc.replace("  - `scopes`", "- `scopes`"), &attrs).join("\n");
    assert!(missing.contains("`config.scopes` is not documented"), "{missing}");
    assert!(missing.contains("`scopes` is documented but"), "{missing}");
}
