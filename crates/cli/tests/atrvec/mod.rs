//! The `atr-jwt` vectors (`vectors/atr-jwt.json`) as the CLI tests drive `atr verify` with them.

#![allow(dead_code)]

use serde_json::Value;

/// One vector: its inputs and what PyJWT answered.
pub struct AtrCase {
    pub id: String,
    pub authorization: String,
    pub key: String,
    pub iss_aud: String,
    pub now: String,
    pub expected: Value,
}

impl AtrCase {
    /// `atr verify` with the header value, key, issuer and clock as arguments.
    pub fn args(&self) -> Vec<&str> {
        vec![
            "atr",
            "verify",
            &self.authorization,
            "--key",
            &self.key,
            "--iss-aud",
            &self.iss_aud,
            "--now",
            &self.now,
        ]
    }
}

/// Every vector of the file, in order.
pub fn all() -> Vec<AtrCase> {
    let file: Value = serde_json::from_str(include_str!("../../../../vectors/atr-jwt.json"))
        .expect("vector JSON");
    let text = |v: &Value| v.as_str().expect("a string").to_owned();
    file["vectors"]
        .as_array()
        .expect("vectors")
        .iter()
        .map(|v| {
            let i = &v["input"];
            AtrCase {
                id: text(&v["id"]),
                authorization: text(&i["authorization"]),
                key: text(&i["key"]),
                iss_aud: text(&i["iss_aud"]),
                now: i["now"].as_i64().expect("now").to_string(),
                expected: v["expected"].clone(),
            }
        })
        .collect()
}

/// The vector with this id.
pub fn case(id: &str) -> AtrCase {
    all()
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no vector {id}"))
}
