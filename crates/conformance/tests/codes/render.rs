//! SPEC §6's tables, rendered from the registry.

use super::registry::{Entry, Registry};

/// The line that opens the generated block in `spec/SPEC.md`.
pub const BEGIN: &str = "<!-- codes:begin: generated from spec/codes.json by crates/conformance/tests/codes.rs; \
                         CAVEATSPEC_BLESS=1 cargo test -p caveatspec-conformance --test codes rewrites it -->";
/// The line that closes it.
pub const END: &str = "<!-- codes:end -->";

/// The section number the layers' subsections are numbered under.
const SECTION: &str = "6";

/// The block, markers included, ending in a newline.
pub fn render(registry: &Registry) -> String {
    let mut out = format!("{BEGIN}\n");
    for (n, layer) in registry.layers.iter().enumerate() {
        let entries: Vec<&Entry> = registry
            .codes
            .iter()
            .filter(|e| e.layer == layer.layer)
            .collect();
        let (expected, unexpected): (Vec<&Entry>, Vec<&Entry>) =
            entries.iter().partition(|e| e.no_vector.is_none());
        out += &format!(
            "\n### {SECTION}.{} {} ({})\n",
            n + 1,
            layer.title,
            layer.spec
        );
        if !expected.is_empty() {
            out += &vector_table(&expected);
        }
        out += &no_vector_tables(&unexpected);
    }
    out += &format!("\n{END}\n");
    out
}

/// The table of the codes vectors expect; the PyPI column only where a code has a message.
fn vector_table(entries: &[&Entry]) -> String {
    let with_pypi = entries.iter().any(|e| e.pypi_message.is_some());
    let mut out = String::from("\n| code | meaning | profiles |");
    out += if with_pypi { " PyPI's message |" } else { "" };
    out += " examples |\n|---|---|---|";
    out += if with_pypi { "---|" } else { "" };
    out += "---|\n";
    for e in entries {
        out += &format!(
            "| `{}` | {} | {} |",
            e.code,
            cell(&e.meaning),
            e.profiles.join(", ")
        );
        if with_pypi {
            let message = e.pypi_message.as_deref().map_or("—".to_owned(), code_span);
            out += &format!(" {} |", cell(&message));
        }
        let examples: Vec<String> = e.examples.iter().map(|id| format!("[{id}]")).collect();
        out += &format!(" {} |\n", examples.join(" "));
    }
    out
}

/// The codes no vector expects, one table per reason (in order of first appearance), since
/// many share theirs.
fn no_vector_tables(entries: &[&Entry]) -> String {
    let mut reasons: Vec<&str> = Vec::new();
    for e in entries {
        let why = e.no_vector.as_deref().unwrap_or_default();
        if !reasons.contains(&why) {
            reasons.push(why);
        }
    }
    let mut out = String::new();
    for why in reasons {
        out +=
            &format!("\nReported by the reference implementation, expected by no vector. {why}\n");
        out += "\n| code | meaning |\n|---|---|\n";
        for e in entries
            .iter()
            .filter(|e| e.no_vector.as_deref() == Some(why))
        {
            out += &format!("| `{}` | {} |\n", e.code, cell(&e.meaning));
        }
    }
    out
}

/// Text inside a Markdown table cell: a `|` would end the cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// Inline code that survives backticks in the text.
fn code_span(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// The generated block within `spec`: (start, end) byte offsets, markers included, or why not.
pub fn find_block(spec: &str) -> Result<(usize, usize), String> {
    let start = spec
        .find("<!-- codes:begin")
        .ok_or("spec/SPEC.md has no `<!-- codes:begin` marker")?;
    let end = spec[start..]
        .find(END)
        .map(|k| start + k + END.len() + 1)
        .ok_or("spec/SPEC.md has no `<!-- codes:end -->` after `<!-- codes:begin`")?;
    if spec[end..].contains("<!-- codes:begin") {
        return Err("spec/SPEC.md has two `<!-- codes:begin` markers".into());
    }
    Ok((start, end.min(spec.len())))
}
