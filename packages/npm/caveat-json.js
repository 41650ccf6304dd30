// The JSON reader of the satisfier's caveat grammars (spec/SPEC.md §4.1, §4.5 steps 3 to 6).
// JSON.parse cannot serve: it keeps the last of two equal keys silently, reads `1.0` as `1`,
// refuses `NaN` (which PyPI's Python reads) and loses integers past 2^53. This reader is
// iterative (linear work whatever the nesting) and records what both profiles need, so that
// each can report its checks in the SPEC's order.

const WHITESPACE = /[ \t\r\n]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const PLAIN = /[^"\\\x00-\x1f]*/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const ESCAPES = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
// Not RFC 8259, but Python's `json` reads them (warehouse), and the strict grammar reads them as
// numbers to refuse them with the other non-integers (step 6), not as syntax errors.
const NON_FINITE = ["-Infinity", "Infinity", "NaN"];
const LITERALS = [["true", true], ["false", false], ["null", null]];

/** A number with a fraction or an exponent, or NaN or Infinity: its literal and its double. */
export class NonInteger {
  constructor(literal) {
    this.literal = literal;
    this.value = Number(literal);
  }
}

/** An integer literal of more digits than CPython converts: kept as its literal, not converted. */
export class LongInteger {
  constructor(literal) {
    this.literal = literal;
  }
}

// CPython's limit on converting decimal text to int; past it both profiles refuse anyway.
const INT_DIGITS = 4300;

class Syntax extends Error {}

function skip(text, i) {
  WHITESPACE.lastIndex = i;
  WHITESPACE.exec(text);
  return WHITESPACE.lastIndex;
}

/** The string whose `"` is at i, and the index after its closing quote. */
function string(text, i) {
  let out = "";
  i += 1;
  for (;;) {
    PLAIN.lastIndex = i;
    out += PLAIN.exec(text)[0];
    i = PLAIN.lastIndex;
    if (i >= text.length) throw new Syntax();
    const c = text[i];
    if (c === '"') return [out, i + 1];
    if (c !== "\\") throw new Syntax(); // a raw control character
    const e = text[i + 1];
    if (Object.hasOwn(ESCAPES, e ?? "")) {
      out += ESCAPES[e];
      i += 2;
    } else if (e === "u" && HEX4.test(text.slice(i + 2, i + 6))) {
      // A UTF-16 code unit: a surrogate pair's two escapes make one character, a lone one stays.
      out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      throw new Syntax();
    }
  }
}

function scalar(text, i, reading) {
  if (text[i] === '"') return string(text, i);
  for (const literal of NON_FINITE) {
    if (text.startsWith(literal, i)) {
      reading.nonInteger = true;
      return [new NonInteger(literal), i + literal.length];
    }
  }
  NUMBER.lastIndex = i;
  const number = NUMBER.exec(text);
  if (number) {
    if (number[1] !== undefined || number[2] !== undefined) {
      reading.nonInteger = true;
      return [new NonInteger(number[0]), NUMBER.lastIndex];
    }
    const digits = number[0].length - (number[0][0] === "-" ? 1 : 0);
    reading.longestInteger = Math.max(reading.longestInteger, digits);
    return [digits <= INT_DIGITS ? BigInt(number[0]) : new LongInteger(number[0]), NUMBER.lastIndex];
  }
  for (const [literal, value] of LITERALS) {
    if (text.startsWith(literal, i)) return [value, i + literal.length];
  }
  throw new Syntax();
}

/** Reads `"key" :` at i into the object frame; the index of its value. */
function key(text, i, frame, reading) {
  if (text[i] !== '"') throw new Syntax();
  const [k, after] = string(text, i);
  const colon = skip(text, after);
  if (text[colon] !== ":") throw new Syntax();
  if (frame.container.has(k)) reading.duplicateKey = true;
  frame.key = k;
  return skip(text, colon + 1);
}

function parse(text, reading) {
  const stack = []; // { container: Array | Map, key }
  let i = skip(text, 0);
  for (;;) {
    let value;
    const opener = text[i];
    if (opener === "[" || opener === "{") {
      stack.push({ container: opener === "[" ? [] : new Map(), key: undefined });
      reading.depth = Math.max(reading.depth, stack.length);
      i = skip(text, i + 1);
      if (text[i] !== (opener === "[" ? "]" : "}")) {
        if (opener === "{") i = key(text, i, stack.at(-1), reading);
        continue;
      }
      value = stack.pop().container;
      i += 1;
    } else {
      [value, i] = scalar(text, i, reading);
    }
    // Place the value, closing every container that ends after it.
    for (;;) {
      if (stack.length === 0) {
        if (skip(text, i) !== text.length) throw new Syntax();
        return value;
      }
      const frame = stack.at(-1);
      const isArray = Array.isArray(frame.container);
      if (isArray) frame.container.push(value);
      else frame.container.set(frame.key, value);
      i = skip(text, i);
      if (text[i] === ",") {
        i = skip(text, i + 1);
        if (!isArray) i = key(text, i, frame, reading);
        break;
      }
      if (text[i] !== (isArray ? "]" : "}")) throw new Syntax();
      value = stack.pop().container;
      i += 1;
    }
  }
}

/**
 * What reading `text` found; never throws. `value` (arrays, Maps, strings, BigInt integers,
 * LongInteger, NonInteger, booleans, null; undefined on a syntax error), `syntaxError`, `depth` (each array
 * or object one level), `duplicateKey`, `nonInteger`, `longestInteger` (digits).
 */
export function readJson(text) {
  const reading = { value: undefined, syntaxError: false, depth: 0, duplicateKey: false, nonInteger: false, longestInteger: 0 };
  try {
    reading.value = parse(text, reading);
  } catch (e) {
    if (!(e instanceof Syntax)) throw e;
    reading.syntaxError = true;
  }
  return reading;
}
