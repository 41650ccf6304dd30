//! `spec/codes.json`, the error-code registry (schema: `spec/codes.schema.json`).

use serde::{Deserialize, Serialize};

/// The whole file. Field order is the file's order, so that writing it back is stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    /// Path of the JSON Schema, relative to the file.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// What the file is.
    pub description: String,
    /// The layers, in the order SPEC §6 lists them.
    pub layers: Vec<Layer>,
    /// Every code.
    pub codes: Vec<Entry>,
}

/// A group of code families, one table of SPEC §6.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    /// Its name, as entries' `layer` give it.
    pub layer: String,
    /// The heading of its table.
    pub title: String,
    /// The SPEC sections that define its codes.
    pub spec: String,
    /// The code families (the text before the dot) that belong to it.
    pub families: Vec<String>,
}

/// One code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// `<family>.<name>`.
    pub code: String,
    /// The layer whose families hold the code's family.
    pub layer: String,
    /// One sentence.
    pub meaning: String,
    /// Where vectors expect it (derived from the vectors).
    pub profiles: Vec<String>,
    /// PyPI's message for it, `<…>` standing for input-dependent text (checked against the
    /// warehouse vectors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pypi_message: Option<String>,
    /// Up to three vectors that expect it.
    pub examples: Vec<String>,
    /// Why no vector expects it; absent for every code a vector expects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_vector: Option<String>,
}

impl Registry {
    /// Parses the file's text.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("spec/codes.json: {e}"))
    }

    /// The file's text: two-space indented JSON and a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The layer a code's family belongs to.
    pub fn layer_of(&self, code: &str) -> Option<&Layer> {
        let family = code.split('.').next()?;
        self.layers
            .iter()
            .find(|l| l.families.iter().any(|f| f == family))
    }
}

/// Whether `message` is an instance of `template`, where each `<…>` stands for any text (a
/// Python `str()` of the empty string is empty) and everything else is literal.
pub fn message_fits(template: &str, message: &str) -> bool {
    let mut literals = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        literals.push(&rest[..open]);
        rest = &rest[open + close + 1..];
    }
    literals.push(rest);
    let (first, last) = (literals[0], literals[literals.len() - 1]);
    if literals.len() == 1 {
        return message == first;
    }
    let Some(mut tail) = message.strip_prefix(first) else {
        return false;
    };
    for middle in &literals[1..literals.len() - 1] {
        let Some(at) = tail.find(middle) else {
            return false;
        };
        tail = &tail[at + middle.len()..];
    }
    tail.len() >= last.len() && tail.ends_with(last)
}
