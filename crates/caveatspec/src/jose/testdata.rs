//! Published example values (RFC 7638, RFC 8037, RFC 9449) and a deterministic signer, for the
//! unit tests of this layer and of [`crate::dpop`].

use super::jwk::decode_32;
use crate::encoding::base64url;
use ed25519_dalek::Signer;

/// `x` of the P-256 key in every RFC 9449 example proof.
pub const RFC9449_X: &str = "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs";
/// `y` of the same key.
pub const RFC9449_Y: &str = "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA";
/// Its RFC 7638 thumbprint (RFC 9449 Figures 9 and 11).
pub const RFC9449_JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";

/// RFC 9449 Figure 12's access token, which Figure 13's `ath` hashes.
pub const RFC9449_ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";

/// RFC 8037 A.1 Ed25519 private key `d`.
pub const RFC8037_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
/// RFC 8037 A.2 public key `x`.
pub const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
/// RFC 8037 A.3 thumbprint.
pub const RFC8037_JKT: &str = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
/// RFC 8037 A.4 JWS over "Example of Ed25519 signing".
pub const RFC8037_A4: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

/// RFC 7638 §3.1 thumbprint of the RFC 7517 A.1 RSA key.
pub const RFC7638_JKT: &str = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

/// The header segment shared by the three RFC 9449 proofs.
const RFC9449_HEADER: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19";

/// RFC 9449 Figure 2 payload segment (`POST https://server.example.com/token`, iat
/// 1562262616, jti `-BwC3ESc6acc2lTc`).
const FIG2_PAYLOAD: &str = "eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ";
/// RFC 9449 Figure 7 payload segment (same jti and URL, iat 1562265296).
const FIG7_PAYLOAD: &str = "eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjY1Mjk2fQ";
/// RFC 9449 Figure 13 payload segment (`GET https://resource.example.org/protectedresource`,
/// iat 1562262618, with `ath`).
const FIG13_PAYLOAD: &str = "eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9";

const FIG2_SIG: &str =
    "2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg";
const FIG2_SIG_LOW_S: &str =
    "2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwkvfHwR60ki04dxtToLOEyqWQWs5RRbzA0YYkvRts4uIw";
const FIG7_SIG: &str =
    "pAqut2IRDm_De6PR93SYmGBPXpwrAk90e8cP2hjiaG5QsGSuKDYW7_X620BxqhvYC8ynrrvZLTk41mSRroapUA";
const FIG13_SIG: &str =
    "2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA";
const FIG13_SIG_LOW_S: &str =
    "2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plel_fuFVO46DNVBNVNqYZjPFpbmdA8d0H3BbGP5h-8jZxQ";

fn compact(payload: &str, sig: &str) -> String {
    format!("{RFC9449_HEADER}.{payload}.{sig}")
}

/// RFC 9449 Figure 2.
pub fn fig2() -> String {
    compact(FIG2_PAYLOAD, FIG2_SIG)
}

/// Figure 2 with the signature's `s` replaced by `n − s`.
pub fn fig2_low_s() -> String {
    compact(FIG2_PAYLOAD, FIG2_SIG_LOW_S)
}

/// RFC 9449 Figure 7.
pub fn fig7() -> String {
    compact(FIG7_PAYLOAD, FIG7_SIG)
}

/// RFC 9449 Figure 13.
pub fn fig13() -> String {
    compact(FIG13_PAYLOAD, FIG13_SIG)
}

/// Figure 13 with the signature's `s` replaced by `n − s`.
pub fn fig13_low_s() -> String {
    compact(FIG13_PAYLOAD, FIG13_SIG_LOW_S)
}

/// A compact JWS over exactly these header and payload texts, signed with the RFC 8037 A.1
/// key (Ed25519 is deterministic, so the result is fixed).
pub fn sign_ed25519(header: &str, payload: &str) -> String {
    let d = decode_32(RFC8037_D, "d").unwrap_or_default();
    let key = ed25519_dalek::SigningKey::from_bytes(&d);
    let input = format!(
        "{}.{}",
        base64url::encode(header.as_bytes()),
        base64url::encode(payload.as_bytes())
    );
    let sig = key.sign(input.as_bytes());
    format!("{input}.{}", base64url::encode(&sig.to_bytes()))
}

/// The RFC 8037 public key as a JWK object text.
pub fn rfc8037_jwk() -> String {
    format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{RFC8037_X}"}}"#)
}
