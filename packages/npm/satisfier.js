// PyPI's layer over a JavaScript macaroon library: the `pypi-` token text and the caveat JSON
// PyPI writes for restrictions (spec/SPEC.md). The library does base64, the binary format, the
// HMAC chain and serialization; this module knows nothing of them beyond the npm `macaroon`
// package's API (importMacaroon, newMacaroon, bytesToBase64), which it is given, not imports.
// Answers are in the vectors' shape (`valid`, `codes`, `message`, produced fields), ready for
// `compare`; `{ unsupported: why }` for an input PyPI's caveats cannot express.

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** The macaroon text of a `pypi-` token; throws when the token has no such prefix or no body. */
export function tokenBody(token) {
  const dash = typeof token === "string" ? token.indexOf("-") : -1;
  if (dash < 0 || token.slice(0, dash) !== "pypi" || dash === token.length - 1) {
    throw new Error("not a pypi- token");
  }
  return token.slice(dash + 1);
}

const NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A project name as PyPI stores it in a caveat (PEP 503 normalization). */
export const normalizeName = (n) => n.replace(/[-_.]+/g, "-").toLowerCase();

/**
 * The caveats PyPI writes for `restrictions` (compact JSON, fixed order), after the checks
 * spec/SPEC.md gives for them: `{ caveats }`, or `{ codes: [code] }` when they cannot be
 * written. `attenuating` is true for restricting an existing token, where no restriction at
 * all is refused.
 */
export function restrictionCaveats(r, attenuating) {
  const refuse = (code) => ({ codes: [code] });
  if (attenuating && Object.keys(r).length === 0) return refuse("restrict.nothing");
  const out = [];
  const nb = r.not_before;
  const na = r.not_after;
  if ((nb === undefined) !== (na === undefined)) return refuse("restrict.window_incomplete");
  if (nb !== undefined) {
    if (nb < 0 || na < 0) return refuse("restrict.window_negative");
    if (nb >= na) return refuse("restrict.window_empty");
    out.push([0, na, nb]);
  }
  if (r.project_names !== undefined) {
    if (r.project_names.length === 0) return refuse("restrict.empty_list");
    if (!r.project_names.every((n) => NAME.test(n))) return refuse("restrict.invalid_name");
    out.push([1, r.project_names.map(normalizeName)]);
  }
  if (r.project_ids !== undefined) {
    if (r.project_ids.length === 0) return refuse("restrict.empty_list");
    if (!r.project_ids.every((i) => UUID.test(i))) return refuse("restrict.invalid_uuid");
    out.push([2, r.project_ids]);
  }
  if (r.user_id !== undefined) {
    if (!UUID.test(r.user_id)) return refuse("restrict.invalid_uuid");
    out.push([3, r.user_id]);
  }
  return { caveats: out.map((c) => JSON.stringify(c)) };
}

/**
 * The decode, mint and restrict vectors' operations for `lib`, the npm `macaroon` package
 * (or one with its API), each taking a vector's `input`.
 */
export function pypi(lib) {
  const message = (e) => String(e?.message ?? e);

  function produce(m, restrictions, attenuating) {
    // `bind_jkt` asks for the strict profile's key-binding caveat (tag 5), which PyPI never writes.
    if ("bind_jkt" in restrictions) {
      return { unsupported: "no key-binding caveat (bind_jkt) in PyPI's caveats" };
    }
    const r = restrictionCaveats(restrictions, attenuating);
    if (r.codes) return { valid: false, codes: r.codes };
    for (const c of r.caveats) m.addFirstPartyCaveat(c);
    return { valid: true, caveats: r.caveats, token: "pypi-" + lib.bytesToBase64(m.exportBinary()) };
  }

  return {
    decode({ token }) {
      let m;
      try {
        m = lib.importMacaroon(tokenBody(token));
      } catch (e) {
        return { valid: false, message: message(e) };
      }
      const v2 = m._exportAsJSONObjectV2 !== undefined && tokenBody(token).startsWith("Ag");
      return {
        valid: true,
        macaroon: {
          version: v2 ? 2 : 1,
          location: m.location,
          identifier_hex: hex(m.identifier),
          caveats: m.caveats.map((c) => ({
            id_hex: hex(c.identifier),
            vid_hex: c.vid ? hex(c.vid) : null,
            location: c.location || null,
          })),
          signature_hex: hex(m.signature),
        },
      };
    },
    mint({ key_hex, identifier, location, restrictions }) {
      const rootKey = Uint8Array.from(key_hex.match(/../g) ?? [], (h) => parseInt(h, 16));
      const m = lib.newMacaroon({ version: 2, rootKey, identifier, location });
      return produce(m, restrictions, false);
    },
    restrict({ token, restrictions }) {
      let m;
      try {
        m = lib.importMacaroon(tokenBody(token));
      } catch (e) {
        return { valid: false, codes: ["macaroon.malformed"], message: message(e) };
      }
      return produce(m, restrictions, true);
    },
  };
}
