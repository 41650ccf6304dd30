import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import {
  EARLIER_PROOF_REFUSED, MAX_REQUEST_BYTES, earlierProofRefused, installedVersion, invalid, response, serve, unsupported,
} from "caveatspec-vectors/adapter";

const fixture = fileURLToPath(new URL("fixtures/adapter.mjs", import.meta.url));

/**
 * Runs the fixture adapter with `input` (a string or bytes) on its stdin, then closes it; gives
 * its exit status, its stdout lines parsed and its stderr. The adapter exiting early is an
 * outcome, not an error of the test (its stdin may then be closed under a write).
 */
function run(input) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (err += d));
    child.stdin.on("error", () => {});
    child.on("error", reject);
    child.on("close", (status) => {
      const lines = out.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
      resolve({ status, hello: lines[0], responses: lines.slice(1), stderr: err });
    });
    child.stdin.end(input);
  });
}

const request = (id, kind, input = {}) => JSON.stringify({ type: "request", id, kind, category: "c", profile: "strict", input }) + "\n";

test("the hello comes first and names the handlers' kinds", async () => {
  const { status, hello, responses } = await run("");
  assert.equal(status, 0);
  assert.deepEqual(hello, {
    type: "hello", protocol: 1, name: "fixture", version: "1.0.0", language: "JavaScript", profile: "strict",
    kinds: ["echo", "later", "throws", "shapeless", "unsupported", "refused"],
  });
  assert.deepEqual(responses, []);
});

test("one response per request, in order, produced fields under value", async () => {
  const { status, responses } = await run(request("a", "echo", { jkt: "k", jti: "j" }) + request("b", "refused", { code: "dpop.htm" }) + request("c", "unsupported"));
  assert.equal(status, 0);
  assert.deepEqual(responses, [
    { type: "response", id: "a", outcome: "valid", value: { jkt: "k", jti: "j" } },
    { type: "response", id: "b", outcome: "invalid", codes: ["dpop.htm"], message: "refused here" },
    { type: "response", id: "c", outcome: "unsupported", message: "no way to say this" },
  ]);
});

test("an async handler is awaited before the next request is read, however the lines arrive", async () => {
  const lines = ["1", "2", "3", "4"].map((id) => request(id, "later", { id }));
  const { status, responses, stderr } = await run(lines.join(""));
  assert.equal(status, 0, stderr);
  assert.deepEqual(responses.map((r) => r.id), ["1", "2", "3", "4"]);
});

test("blank lines are skipped; a final line without its newline is still a request", async () => {
  const { status, responses } = await run("\n  \t\r\n" + request("a", "echo") + "\n\n" + request("b", "echo").trimEnd());
  assert.equal(status, 0);
  assert.deepEqual(responses.map((r) => r.id), ["a", "b"]);
});

test("a repeated id is answered each time, as sent", async () => {
  const { status, responses } = await run(request("same", "echo") + request("same", "refused"));
  assert.equal(status, 0);
  assert.deepEqual(responses.map((r) => [r.id, r.outcome]), [["same", "valid"], ["same", "invalid"]]);
});

test("an unknown kind, or one named like an Object member, is unsupported", async () => {
  const { status, responses } = await run(request("x", "no_such_kind") + request("y", "constructor") + request("z", "__proto__"));
  assert.equal(status, 0);
  assert.deepEqual(responses.map((r) => r.outcome), ["unsupported", "unsupported", "unsupported"]);
});

test("control characters escaped in the JSON reach the handler; raw ones make a line unreadable", async () => {
  const ok = await run(request("\u0001id\u007f", "echo", { text: "a\u0000b\u001b" }));
  assert.equal(ok.status, 0);
  assert.deepEqual(ok.responses, [{ type: "response", id: "\u0001id\u007f", outcome: "valid", value: { text: "a\u0000b\u001b" } }]);
  const raw = await run(request("a", "echo") + '{"type":"request","id":"b\u0001","kind":"echo","input":{}}\n' + request("c", "echo"));
  assert.equal(raw.status, 2);
  assert.deepEqual(raw.responses.map((r) => r.id), ["a"]);
  assert.match(raw.stderr, /request line 2 is not JSON/);
});

test("a line that is not UTF-8 ends the process with status 2, after the lines before it", async () => {
  const bytes = Buffer.concat([Buffer.from(request("a", "echo")), Buffer.from('{"type":"request","id":"\xff"}\n', "latin1"), Buffer.from(request("c", "echo"))]);
  const { status, responses, stderr } = await run(bytes);
  assert.equal(status, 2);
  assert.deepEqual(responses.map((r) => r.id), ["a"]);
  assert.match(stderr, /request line 2 is not UTF-8/);
});

test("truncated JSON ends the process with status 2 and does not show the line", async () => {
  const secret = "eyJhbGciOiJFUzI1NiJ9.c2VjcmV0";
  const { status, responses, stderr } = await run(`{"type":"request","id":"a","kind":"echo","input":{"proof":"${secret}"`);
  assert.equal(status, 2);
  assert.deepEqual(responses, []);
  assert.match(stderr, /request line 1 is not JSON \(\d+ bytes\)/);
  assert.ok(!stderr.includes(secret), "the line's content stays out of the error");
});

test("JSON that is not a request ends the process with status 2", async () => {
  for (const line of ["[]", "null", '"request"', '{"type":"hello"}', '{"type":"request","id":1,"kind":"echo","input":{}}', '{"type":"request","id":"a","kind":"echo"}']) {
    const { status, stderr } = await run(line + "\n");
    assert.equal(status, 2, line);
    assert.match(stderr, /request line 1 is not a request/, line);
  }
});

test("a line over the bound ends the process before its newline arrives", async () => {
  // No newline at all: the loop must stop on the bytes it has, not wait for the line's end.
  const { status, responses, stderr } = await run(Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x61));
  assert.equal(status, 2);
  assert.deepEqual(responses, []);
  assert.match(stderr, new RegExp(`request line 1 is over ${MAX_REQUEST_BYTES} bytes`));
});

test("a line just under the bound is read", async () => {
  const padding = "x".repeat(MAX_REQUEST_BYTES - request("a", "echo", { p: "" }).length);
  const { status, responses } = await run(request("a", "echo", { p: padding }));
  assert.equal(status, 0);
  assert.equal(responses[0].value.p.length, padding.length);
});

test("a handler that throws ends the process with status 1, after the answers before it", async () => {
  const { status, responses, stderr } = await run(request("a", "echo") + request("b", "throws") + request("c", "echo"));
  assert.equal(status, 1);
  assert.deepEqual(responses.map((r) => r.id), ["a"]);
  assert.match(stderr, /the throws handler failed on request "b" \(line 2\): RangeError: library exploded/);
});

test("a handler answering something that is not an answer is a failure, not a verdict", async () => {
  const { status, responses, stderr } = await run(request("a", "shapeless"));
  assert.equal(status, 1);
  assert.deepEqual(responses, []);
  assert.match(stderr, /not an object/);
});

test("the answer helpers", () => {
  assert.deepEqual(invalid(), { valid: false });
  assert.deepEqual(invalid("dpop.htm"), { valid: false, codes: ["dpop.htm"] });
  assert.deepEqual(invalid(null, "why"), { valid: false, message: "why" });
  assert.deepEqual(unsupported("no EdDSA"), { unsupported: "no EdDSA" });
  assert.deepEqual(earlierProofRefused(1, "dpop.signature"), {
    valid: false, codes: [EARLIER_PROOF_REFUSED], message: "earlier proof 1 refused: dpop.signature",
  });
  assert.equal(EARLIER_PROOF_REFUSED, "adapter.earlier_proof_refused");
  assert.deepEqual(response("x", unsupported()), { type: "response", id: "x", outcome: "unsupported" });
  assert.deepEqual(response("x", { valid: true }), { type: "response", id: "x", outcome: "valid" });
  assert.throws(() => response("x", { valid: "yes" }), /boolean `valid`/);
  assert.throws(() => response("x", { valid: false, codes: "dpop.htm" }), /list of strings/);
});

test("installedVersion walks up from the resolved entry point to the package's own package.json", () => {
  const entry = fileURLToPath(new URL("fixtures/installed/fake/dist/index.js", import.meta.url));
  // dist/package.json (type only, no name) is passed over.
  assert.equal(installedVersion("fake", () => entry), "3.1.4");
  assert.throws(() => installedVersion("other", () => entry), /no package.json of other above/);
});

test("a hello without name, version, language or a known profile is refused before anything is written", async () => {
  const written = [];
  const output = { write: (text) => written.push(text) };
  const good = { name: "n", version: "1", language: "JavaScript", profile: "strict" };
  for (const hello of [{ ...good, name: "" }, { ...good, version: 1 }, { ...good, language: undefined }, { ...good, profile: "lenient" }, null]) {
    await assert.rejects(serve(hello, {}, { input: [], output }), TypeError, JSON.stringify(hello));
  }
  assert.deepEqual(written, []);
  await serve(good, { echo: () => ({ valid: true }) }, { input: [Buffer.from(request("a", "echo"))], output });
  assert.deepEqual(written.map((l) => JSON.parse(l).type), ["hello", "response"]);
});
