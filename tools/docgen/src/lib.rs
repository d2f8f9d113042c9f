//! docgen: the `## Schema` section of every docs page, written from the provider's own schemas.
//!
//! The descriptions are written once, in the code (`Attribute::describe`), where they also reach
//! `terraform providers schema -json` and editors; this crate renders them into the pages in the
//! Terraform Registry's format, as tfplugindocs would:
//!
//! - `docs/index.md` from the provider's schema, `docs/resources/<name without posit_>.md` from
//!   each resource's, `docs/list-resources/...` from each list resource's configuration and
//!   `docs/data-sources/...` from each data source's;
//! - in each page, the region from the `## Schema` heading up to the next `## ` heading is
//!   replaced: `### Required`, `### Optional`, `### Read-Only`, bullets `` - `name` (Type,
//!   Sensitive, Write-only) description ``, and a `### Nested Schema for `config`` section (with
//!   its `<a id="nestedatt--config"></a>` anchor) per nested attribute or object type;
//! - a bullet's description is the attribute's, followed by each of its validators'
//!   [`describe`](tfplugin::validators::Validator::describe) (``Must be one of `azure`, ...``):
//!   allowed values are written once, in the validator, not copied into descriptions;
//! - a resource with an identity also gets its `### Identity Schema` subsection (up to the next
//!   heading of level 3 or higher) rewritten, wherever the page puts it (in `## Import`).
//!
//! Everything else in a page (front matter, prose, examples, guides) is hand-written and left
//! alone. `cargo run -p docgen` rewrites the pages; `cargo run -p docgen -- --check` (and this
//! crate's tests, so `cargo test --workspace`) fails when a page differs from what it would write.

use std::path::{Path, PathBuf};

use terraform_provider_posit::provider::PositProvider;
use tfplugin::resource::Provider;
use tfplugin::schema::{Attribute, AttributeKind, Block, IdentitySchema, Schema};
use tfplugin::value::Type;

/// Where tfplugindocs points the `Write-only` flag.
pub const WRITE_ONLY_LINK: &str =
    "https://developer.hashicorp.com/terraform/language/resources/ephemeral#write-only-arguments";

const SCHEMA_HEADING: &str = "## Schema";
const IDENTITY_HEADING: &str = "### Identity Schema";

/// The repository this crate lives in.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One docs page and the schemas it documents.
#[derive(Clone, Debug)]
pub struct Page {
    /// Relative to the repository root: `docs/resources/connect_oauth_integration.md`.
    pub path: String,
    /// `posit_connect_oauth_integration`, or `posit` for the provider.
    pub name: String,
    /// `Provider`, `Resource`, `List Resource` or `Data Source`.
    pub label: &'static str,
    /// The schema the page's Schema section shows.
    pub schema: Schema,
    /// The resource's identity schema, shown after its schema; `None` for the rest.
    pub identity: Option<IdentitySchema>,
}

/// Every page the provider's schemas call for, from a provider built in process.
pub fn pages() -> Vec<Page> {
    let provider = PositProvider::new();
    let short = |name: &str| name.strip_prefix("posit_").unwrap_or(name).to_string();
    let mut out = vec![Page {
        path: "docs/index.md".into(),
        name: "posit".into(),
        label: "Provider",
        schema: provider.schema().clone(),
        identity: None,
    }];
    for r in provider.resources() {
        let name = r.type_name();
        out.push(Page {
            path: format!("docs/resources/{}.md", short(name)),
            name: name.into(),
            label: "Resource",
            schema: r.schema().clone(),
            identity: r.identity_schema().cloned(),
        });
        if let Some(list) = r.list_schema() {
            out.push(Page {
                path: format!("docs/list-resources/{}.md", short(name)),
                name: name.into(),
                label: "List Resource",
                schema: list.clone(),
                identity: None,
            });
        }
    }
    for d in provider.data_sources() {
        let name = d.type_name();
        out.push(Page {
            path: format!("docs/data-sources/{}.md", short(name)),
            name: name.into(),
            label: "Data Source",
            schema: d.schema().clone(),
            identity: None,
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Required,
    Optional,
    ReadOnly,
}

impl Group {
    const ALL: [Group; 3] = [Group::Required, Group::Optional, Group::ReadOnly];

    fn title(self) -> &'static str {
        match self {
            Group::Required => "Required",
            Group::Optional => "Optional",
            Group::ReadOnly => "Read-Only",
        }
    }
}

/// One bullet: an attribute, or a field of an object type.
#[derive(Clone, Debug)]
struct Item {
    name: String,
    group: Group,
    ty: String,
    sensitive: bool,
    write_only: bool,
    description: String,
    /// Nested attributes, or the fields of an object type, listed in a nested section.
    children: Vec<Item>,
}

/// The Registry's type label: `String`, `Boolean`, `Set of String`, `List of Object`...
pub fn type_label(t: &Type) -> String {
    match t {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(e) => format!("List of {}", type_label(e)),
        Type::Set(e) => format!("Set of {}", type_label(e)),
        Type::Map(e) => format!("Map of {}", type_label(e)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

/// The attributes of `block`, in the code's order. Under a read-only parent every nested
/// attribute is read-only, whatever its own flags.
fn block_items(block: &Block, forced: Option<Group>) -> Vec<Item> {
    block
        .attributes
        .iter()
        .map(|a| {
            let group = forced.unwrap_or(if a.required {
                Group::Required
            } else if a.optional {
                Group::Optional
            } else {
                Group::ReadOnly
            });
            let (ty, children) = match &a.kind {
                AttributeKind::Single(b) => {
                    // Written `config { ... }` or `config = { ... }`: the label says which.
                    let label = if a.as_block { "Block" } else { "Attributes" };
                    (label.to_string(), block_items(b, (group == Group::ReadOnly).then_some(Group::ReadOnly)))
                }
                AttributeKind::Plain(t) => (type_label(t), object_items(t, group)),
            };
            Item {
                name: a.name.clone(),
                group,
                ty,
                sensitive: a.sensitive,
                write_only: a.write_only,
                description: described(a),
                children,
            }
        })
        .collect()
}

/// An attribute's description followed by what its validators accept (`Must be one of ...`), so
/// that a list of allowed values is written once, in the validator.
fn described(a: &Attribute) -> String {
    let mut parts = vec![a.description.trim().to_string()];
    parts.extend(a.validators.iter().map(|v| v.describe()));
    parts.retain(|p| !p.is_empty());
    parts.join(" ")
}

/// The fields of an object type (or of the objects in a collection), in their parent's group;
/// a type carries no descriptions.
fn object_items(t: &Type, group: Group) -> Vec<Item> {
    match t {
        Type::List(e) | Type::Set(e) | Type::Map(e) => object_items(e, group),
        Type::Object(fields) => fields
            .iter()
            .map(|(name, ft)| Item {
                name: name.clone(),
                group,
                ty: type_label(ft),
                sensitive: false,
                write_only: false,
                description: String::new(),
                children: object_items(ft, group),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A description on one line, as a bullet needs it.
fn one_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

fn anchor(path: &str) -> String {
    format!("nestedatt--{}", path.replace('.', "--"))
}

fn bullet(item: &Item, path: &str) -> String {
    let mut inside = vec![item.ty.clone()];
    if item.sensitive {
        inside.push("Sensitive".into());
    }
    if item.write_only {
        inside.push(format!("[Write-only]({WRITE_ONLY_LINK})"));
    }
    let mut line = format!("- `{}` ({})", item.name, inside.join(", "));
    let description = one_line(&item.description);
    if !description.is_empty() {
        line.push(' ');
        line.push_str(&description);
    }
    if !item.children.is_empty() {
        line.push_str(&format!(" (see [below for nested schema](#{}))", anchor(path)));
    }
    line
}

/// The groups of one level: `### Required` ... at the top, `Required:` ... in a nested section.
/// Items with children queue their nested section.
fn render_groups(out: &mut String, items: &[Item], parent: &str, queue: &mut Vec<(String, Vec<Item>)>) {
    for group in Group::ALL {
        let listed: Vec<&Item> = items.iter().filter(|i| i.group == group).collect();
        if listed.is_empty() {
            continue;
        }
        if parent.is_empty() {
            out.push_str(&format!("\n### {}\n\n", group.title()));
        } else {
            out.push_str(&format!("\n{}:\n\n", group.title()));
        }
        if listed.iter().any(|i| i.write_only) {
            out.push_str(&format!(
                "> **NOTE**: [Write-only arguments]({WRITE_ONLY_LINK}) are supported in Terraform 1.11 and later, \
                 and OpenTofu 1.11 and later.\n\n"
            ));
        }
        for item in listed {
            let path = if parent.is_empty() { item.name.clone() } else { format!("{parent}.{}", item.name) };
            out.push_str(&bullet(item, &path));
            out.push('\n');
            if !item.children.is_empty() {
                queue.push((path, item.children.clone()));
            }
        }
    }
}

/// The whole `## Schema` section of a schema, ending with a newline.
pub fn render_schema(schema: &Schema) -> String {
    let mut out = format!("{SCHEMA_HEADING}\n");
    let mut queue = Vec::new();
    render_groups(&mut out, &block_items(&schema.block, None), "", &mut queue);
    let mut next = 0;
    while next < queue.len() {
        let (path, items) = queue[next].clone();
        out.push_str(&format!("\n<a id=\"{}\"></a>\n### Nested Schema for `{path}`\n", anchor(&path)));
        render_groups(&mut out, &items, &path, &mut queue);
        next += 1;
    }
    out
}

/// The `### Identity Schema` subsection of a resource's identity, ending with a newline.
pub fn render_identity(identity: &IdentitySchema) -> String {
    let mut out = format!("{IDENTITY_HEADING}\n");
    for (title, required) in [("Required", true), ("Optional", false)] {
        let listed: Vec<_> = identity.attributes.iter().filter(|a| a.required_for_import == required).collect();
        if listed.is_empty() {
            continue;
        }
        out.push_str(&format!("\n#### {title}\n\n"));
        for a in listed {
            let mut line = format!("- `{}` ({})", a.name, type_label(&a.ty));
            let description = one_line(&a.description);
            if !description.is_empty() {
                line.push(' ');
                line.push_str(&description);
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

/// The level of a markdown heading line (`### x` is 3), or `None`.
fn heading_level(line: &str) -> Option<usize> {
    let level = line.chars().take_while(|c| *c == '#').count();
    (level > 0 && line[level..].starts_with(' ')).then_some(level)
}

/// The byte range of the section starting at the line `heading` (outside fenced code blocks) up
/// to the next heading of level `max_end_level` or higher (fewer `#`), or the end of the text.
fn find_section(text: &str, heading: &str, max_end_level: usize) -> Option<(usize, usize)> {
    let mut in_code = false;
    let mut start = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let here = offset;
        offset += line.len();
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        match start {
            None if line.trim_end() == heading => start = Some(here),
            Some(s) if heading_level(line).is_some_and(|l| l <= max_end_level) => return Some((s, here)),
            _ => {}
        }
    }
    start.map(|s| (s, text.len()))
}

/// `text` with the section at `heading` replaced by `generated`; `None` without that heading.
fn splice(text: &str, heading: &str, max_end_level: usize, generated: &str) -> Option<String> {
    let (start, end) = find_section(text, heading, max_end_level)?;
    let mut out = String::with_capacity(text.len() + generated.len());
    out.push_str(&text[..start]);
    out.push_str(generated);
    if end < text.len() {
        out.push('\n');
    }
    out.push_str(&text[end..]);
    Some(out)
}

/// What docgen writes for a page whose file does not exist yet: front matter, title, the
/// schema's description and its Schema section. The example and the prose are for a person.
pub fn new_page(page: &Page) -> String {
    let description = one_line(&page.schema.block.description);
    let title =
        if page.label == "Provider" { "Posit Provider".to_string() } else { format!("{} ({})", page.name, page.label) };
    format!(
        "---\npage_title: \"{} {} - posit\"\nsubcategory: \"\"\ndescription: |-\n  {description}\n---\n\n# {title}\n\n{description}\n\n{SCHEMA_HEADING}\n",
        page.name, page.label
    )
}

/// The page as docgen would write it, from its current text; `Err` says what a person must do.
pub fn expected(page: &Page, current: &str) -> Result<String, String> {
    let mut text = splice(current, SCHEMA_HEADING, 2, &render_schema(&page.schema)).ok_or_else(|| {
        format!(
            "{}: no `{SCHEMA_HEADING}` heading (outside code blocks); add it where the attributes should be \
             listed and run `cargo run -p docgen`",
            page.path
        )
    })?;
    match &page.identity {
        Some(identity) => {
            text = splice(&text, IDENTITY_HEADING, 3, &render_identity(identity)).ok_or_else(|| {
                format!(
                    "{}: `{}` has an identity; add a `{IDENTITY_HEADING}` heading (at the end of `## Import`) and \
                     run `cargo run -p docgen`",
                    page.path, page.name
                )
            })?;
        }
        None if find_section(&text, IDENTITY_HEADING, 3).is_some() => {
            return Err(format!(
                "{}: has a `{IDENTITY_HEADING}` section, but `{}` has no identity: remove it",
                page.path, page.name
            ))
        }
        None => {}
    }
    Ok(text)
}

/// How a page compares with what docgen would write.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The page is as docgen would write it.
    UpToDate,
    /// The page exists and differs.
    Differs {
        /// The page as it is on disk.
        current: String,
        /// The page as docgen would write it.
        expected: String,
    },
    /// No such file: this is what docgen writes.
    Missing {
        /// The page as docgen would write it.
        expected: String,
    },
    /// docgen cannot write it; the message says what to do.
    Error(String),
}

/// Compares one page's text (`None`: no file) with what docgen would write.
pub fn compare(page: &Page, current: Option<&str>) -> Outcome {
    let (base, exists) = match current {
        Some(t) => (t.to_string(), true),
        None => (new_page(page), false),
    };
    match expected(page, &base) {
        Err(e) => Outcome::Error(e),
        Ok(expected) if !exists => Outcome::Missing { expected },
        Ok(expected) if expected == base => Outcome::UpToDate,
        Ok(expected) => Outcome::Differs { current: base, expected },
    }
}

/// Every page under `root`, compared.
pub fn compare_all(root: &Path, pages: &[Page]) -> Vec<(Page, Outcome)> {
    pages
        .iter()
        .map(|p| {
            let current = std::fs::read_to_string(root.join(&p.path)).ok();
            (p.clone(), compare(p, current.as_deref()))
        })
        .collect()
}

/// A diff-ish excerpt: the lines from the first difference to the last, `-` as the page has
/// them and `+` as docgen writes them, with two lines of context.
pub fn diff_excerpt(current: &str, expected: &str) -> String {
    const MAX: usize = 40;
    let a: Vec<&str> = current.lines().collect();
    let b: Vec<&str> = expected.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (removed, added) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    if removed.is_empty() && added.is_empty() {
        return "    (only the line endings or the final newline differ)".into();
    }
    let mut out = vec![format!("    @@ line {} @@", prefix + 1)];
    out.extend(a[prefix.saturating_sub(2)..prefix].iter().map(|l| format!("      {l}")));
    for (sign, lines) in [("-", removed), ("+", added)] {
        out.extend(lines.iter().take(MAX).map(|l| format!("    {sign} {l}")));
        if lines.len() > MAX {
            out.push(format!("    {sign} ... {} more line(s)", lines.len() - MAX));
        }
    }
    let after = a.len() - suffix;
    out.extend(a[after..(after + 2).min(a.len())].iter().map(|l| format!("      {l}")));
    out.join("\n")
}

/// The problems `--check` reports: every page that is missing, differs or cannot be written.
pub fn check(root: &Path, pages: &[Page]) -> Vec<String> {
    compare_all(root, pages)
        .into_iter()
        .filter_map(|(page, outcome)| match outcome {
            Outcome::UpToDate => None,
            Outcome::Missing { .. } => Some(format!("{} is missing: the provider serves `{}`", page.path, page.name)),
            Outcome::Differs { current, expected } => Some(format!(
                "{} differs from what docgen writes from the schema:\n{}",
                page.path,
                diff_excerpt(&current, &expected)
            )),
            Outcome::Error(e) => Some(e),
        })
        .collect()
}

/// Writes every page that is missing or differs; returns what it did, and the errors.
pub fn write(root: &Path, pages: &[Page]) -> (Vec<String>, Vec<String>) {
    let (mut done, mut errors) = (Vec::new(), Vec::new());
    for (page, outcome) in compare_all(root, pages) {
        let (text, verb) = match outcome {
            Outcome::UpToDate => continue,
            Outcome::Error(e) => {
                errors.push(e);
                continue;
            }
            Outcome::Differs { expected, .. } => (expected, "updated"),
            Outcome::Missing { expected } => (expected, "created (write its example and prose)"),
        };
        let path = root.join(&page.path);
        let written = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&path, text));
        match written {
            Ok(()) => done.push(format!("{} {verb}", page.path)),
            Err(e) => errors.push(format!("{}: cannot write: {e}", page.path)),
        }
    }
    (done, errors)
}

#[cfg(test)]
mod tests;
