import assert from "node:assert/strict";
import { test } from "node:test";

import { ListError, load, parseExpectedFailures } from "caveatspec-vectors";

function refusal(text, files) {
  try {
    parseExpectedFailures(text, files);
  } catch (e) {
    assert.ok(e instanceof ListError);
    return [e.line, e.problem, e.message];
  }
  assert.fail("the list was accepted");
}

test("entries keep their reason; comments and blank lines are skipped", () => {
  const list = parseExpectedFailures("# head\n\n a/b  # why not \r\nc/d [strict] #x\n");
  assert.deepEqual([...list], [["a/b", "why not"], ["c/d [strict]", "x"]]);
  const bytes = new TextEncoder().encode("token/excess-padding  # padding\n");
  assert.deepEqual([...parseExpectedFailures(bytes, load())], [["token/excess-padding", "padding"]]);
});

test("a line without a reason, a repeat, or an unknown id is refused with its line", () => {
  assert.deepEqual(refusal("a/b # ok\nc/d\n").slice(0, 2), [2, "no-reason"]);
  assert.deepEqual(refusal("a/b #   \n").slice(0, 2), [1, "no-reason"]);
  assert.deepEqual(refusal("a/b # x\n\na/b # y\n").slice(0, 2), [3, "repeated"]);
  assert.deepEqual(refusal("token/excess-padding # x\nno/such-id # y\n", load()).slice(0, 2), [2, "unknown-id"]);
  // A per-profile name only for a per-profile kind.
  assert.deepEqual(refusal("mint/everything [strict] # x\n", load()).slice(0, 2), [1, "unknown-id"]);
  parseExpectedFailures("token/excess-padding [strict] # x\nmint/everything # y\n", load());
});

test("hostile lists: bytes that are not UTF-8, control characters, a huge line", () => {
  assert.deepEqual(refusal(Uint8Array.from([...Buffer.from("a/b # x\n\n"), 0xff, 0x20, 0x23, 0x20, 0x79])).slice(0, 2), [3, "not-utf8"]);
  assert.deepEqual(refusal(Uint8Array.from([...Buffer.from("a/b # x"), 0xc3])).slice(0, 2), [1, "not-utf8"]);
  const [, kind, message] = refusal("a/b\u0000\u001b[2J # x\n", load());
  assert.equal(kind, "unknown-id");
  assert.ok(message.includes("\\u0000") && !message.includes("\u001b"));
  const huge = "a".repeat(5_000_000);
  const [line, why, text] = refusal(`${huge} # x\n`, load());
  assert.deepEqual([line, why], [1, "unknown-id"]);
  assert.ok(text.length < 300);
  assert.deepEqual(refusal(`${huge}\n`).slice(0, 2), [1, "no-reason"]);
  assert.throws(() => parseExpectedFailures(42), TypeError);
});
