//! `cargo run -p docgen`: rewrite the `## Schema` section (and `### Identity Schema`) of every
//! docs page from the provider's schemas. `--check`: change nothing, exit 1 when a page differs.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: docgen [--check] [--root DIR]

Writes the `## Schema` section of every page under docs/ (and a resource's `### Identity Schema`)
from the provider's schemas, leaving the rest of each page alone.

  --check     change nothing; list the pages that differ and exit 1 when any does
  --root DIR  the repository to work on (default: the one docgen was built from)";

fn main() -> ExitCode {
    let mut check = false;
    let mut root = docgen::repo_root();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--root" => match args.next() {
                Some(dir) => root = PathBuf::from(dir),
                None => return usage_error("--root needs a directory"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return usage_error(&format!("unknown argument {other:?}")),
        }
    }

    let pages = docgen::pages();
    if check {
        let problems = docgen::check(&root, &pages);
        if problems.is_empty() {
            println!("docgen: all {} pages match the schema", pages.len());
            return ExitCode::SUCCESS;
        }
        for p in &problems {
            eprintln!("{p}\n");
        }
        eprintln!(
            "docgen: {} page(s) differ from the schema. Descriptions live in the code (`describe(...)`); run \
             `cargo run -p docgen` to rewrite the pages' Schema sections.",
            problems.len()
        );
        return ExitCode::from(1);
    }

    let (done, errors) = docgen::write(&root, &pages);
    for d in &done {
        println!("docgen: {d}");
    }
    if done.is_empty() && errors.is_empty() {
        println!("docgen: all {} pages already match the schema", pages.len());
    }
    for e in &errors {
        eprintln!("docgen: {e}");
    }
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("docgen: {message}\n\n{USAGE}");
    ExitCode::from(2)
}
