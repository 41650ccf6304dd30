//! The one error type of both readers, carrying what PyPI reports for the caveat.

/// Why a caveat did not parse. `code` is the vector code; `message` is PyPI's reason text
/// where PyPI reports one, or `None` where PyPI's verifier aborts with an exception (which it
/// reports as "unknown error" when nothing failed before).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}{}", .message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
pub struct CaveatError {
    /// Machine-readable code, e.g. `caveat.unknown_tag`.
    pub code: &'static str,
    /// PyPI's message (warehouse profile), when PyPI reports this failure as a reason.
    pub message: Option<String>,
    /// True when PyPI's verifier stops at this caveat (an exception escaped the caveat code).
    pub aborts: bool,
}

impl CaveatError {
    pub(super) fn reason(code: &'static str, message: impl Into<String>) -> Self {
        CaveatError {
            code,
            message: Some(message.into()),
            aborts: false,
        }
    }
    pub(super) fn abort(code: &'static str) -> Self {
        CaveatError {
            code,
            message: None,
            aborts: true,
        }
    }
    pub(super) fn strict(code: &'static str) -> Self {
        CaveatError {
            code,
            message: None,
            aborts: false,
        }
    }
}
