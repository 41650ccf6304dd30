//! Running vectors through an adapter process, one request and one response at a time.
//!
//! The adapter is untrusted. It runs in its own process group, and the whole group is killed
//! when it hangs, crashes, writes garbage, or the run ends, so a shell that does not `exec` its
//! last command, or an adapter that forks, leaves nothing behind. Its output is read by a
//! thread with a bound on every line, and waited for with a deadline per answer; requests are
//! written by another thread, so an adapter that stops reading cannot block the runner either.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::process::{kill_process_group, test_kill_process_group, Pid, Signal};
use serde_json::{json, Map, Value};

use super::judge::{judge, shown, Answer, Claims, FailureClass, Judgement, VectorReport};
use super::protocol::{
    Hello, Request, Response, EARLIER_PROOF_REFUSED, PROTOCOL_VERSION, RESERVED,
};
use super::redact::Secrets;
use super::secrets::secrets_of_files;
use caveatspec_vectors::Profile;
use caveatspec_vectors::{basis_for, expected_for, Vector, VectorFile};

/// No adapter line is longer than this; a longer one is garbage (and would otherwise let a
/// broken adapter exhaust the runner's memory). Reading stops at this bound.
const MAX_LINE: u64 = 4 << 20;

/// Blank lines are skipped, but not for ever: this many in a row (or [`MAX_LINE`] bytes of
/// them) is garbage.
const MAX_BLANK_LINES: usize = 1000;

/// No hello's `name`, `version` or `language` is longer than this (they head every report).
const MAX_HELLO_FIELD: usize = 200;

/// How long the runner waits, and how long it keeps trying.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// For each response: one deadline, whatever the adapter prints before it.
    pub timeout: Duration,
    /// For the hello (interpreters and checkouts take a while to load).
    pub hello_timeout: Duration,
    /// After this many hangs in a row, the adapter's remaining vectors are counted as crashed
    /// without being sent (each would cost a full timeout).
    pub max_hangs: u32,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            timeout: Duration::from_secs(10),
            hello_timeout: Duration::from_secs(120),
            max_hangs: 3,
        }
    }
}

/// Everything one adapter did.
#[derive(Debug, Clone)]
pub struct AdapterReport {
    /// Its hello.
    pub hello: Hello,
    /// Its profile.
    pub profile: Profile,
    /// Every vector, in file order.
    pub vectors: Vec<VectorReport>,
}

/// Why no answer came.
enum NoAnswer {
    /// The deadline passed.
    Hung(Duration),
    /// The adapter exited, or wrote something that ends the stream (too long, not UTF-8).
    Broken(String),
}

impl NoAnswer {
    fn text(&self) -> String {
        match self {
            NoAnswer::Hung(t) => format!("no answer within {} s (hung)", t.as_secs_f32()),
            NoAnswer::Broken(why) => why.clone(),
        }
    }
}

/// A running adapter: its process group, a thread writing its requests, and its stdout's lines
/// arriving from a reader thread (so a silent adapter can be waited for with a deadline).
struct Running {
    child: Child,
    /// Its process group, which it leads (its pid).
    pgid: Pid,
    requests: Sender<String>,
    lines: Receiver<Result<String, String>>,
    /// The last bytes of its stderr, kept only to explain an adapter that fails to start.
    stderr_tail: Arc<Mutex<Vec<u8>>>,
    ended: bool,
}

/// How often a wait looks whether the adapter's own process has exited.
const WATCH: Duration = Duration::from_millis(50);

/// How long the output of an adapter that has exited is still waited for.
const LAST_WORDS: Duration = Duration::from_millis(200);

/// How much of an adapter's stderr is kept.
const STDERR_TAIL: usize = 2048;

impl Running {
    fn start(command: &str, cwd: Option<&Path>) -> Result<Running, String> {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(command)
            // Its own group, ended whole: see the module comment.
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // Drained continuously (a full pipe would block the adapter); only its tail is kept,
            // and shown only when the adapter fails before its hello, when no input was sent.
            .stderr(Stdio::piped());
        if let Some(dir) = cwd {
            cmd.current_dir(dir);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("could not start `{command}`: {e}"))?;
        let Some(pgid) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the adapter's process id is out of range".into());
        };
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            end_group(pgid);
            let _ = child.wait();
            return Err("no pipes to the adapter".into());
        };
        let stderr_tail = Arc::new(Mutex::new(Vec::new()));
        drain_stderr(stderr, Arc::clone(&stderr_tail));
        Ok(Running {
            child,
            pgid,
            requests: write_requests(stdin),
            lines: read_lines(stdout),
            stderr_tail,
            ended: false,
        })
    }

    /// Queues one request line; a dead adapter shows as no answer.
    fn send(&self, line: String) {
        let _ = self.requests.send(line);
    }

    /// The next non-blank line, within `timeout`, or why there is none. The adapter's own
    /// process is watched meanwhile: when it exits, the wait ends even if a child it forked
    /// still holds its stdout open.
    fn line(&mut self, timeout: Duration) -> Result<String, NoAnswer> {
        // One deadline: blank lines never reach this channel, so they cannot extend it.
        let deadline = Instant::now().checked_add(timeout);
        loop {
            let left = deadline.map_or(WATCH, |d| d.saturating_duration_since(Instant::now()));
            match self.lines.recv_timeout(left.min(WATCH)) {
                Ok(Ok(l)) => return Ok(l),
                Ok(Err(why)) => return Err(NoAnswer::Broken(why)),
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(NoAnswer::Broken("the adapter exited".into()))
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                // Take what it wrote last, if the reader has it.
                return match self.lines.recv_timeout(LAST_WORDS) {
                    Ok(Ok(l)) => Ok(l),
                    _ => Err(NoAnswer::Broken(format!("the adapter exited ({status})"))),
                };
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(NoAnswer::Hung(timeout));
            }
        }
    }

    /// Kills its whole process group and reaps it.
    fn end(&mut self) {
        if std::mem::replace(&mut self.ended, true) {
            return;
        }
        end_group(self.pgid);
        let _ = self.child.kill();
        let _ = self.child.wait();
        wait_for_group(self.pgid);
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.end();
    }
}

/// Sends SIGKILL to every process of group `pgid` (a group already gone is fine).
fn end_group(pgid: Pid) {
    let _ = kill_process_group(pgid, Signal::KILL);
}

/// Waits (a bounded while) until no process of group `pgid` is running, so that an ended
/// adapter is gone, not merely signalled, when the runner moves on.
fn wait_for_group(pgid: Pid) {
    let give_up = Instant::now() + Duration::from_secs(2);
    while group_alive(pgid) && Instant::now() < give_up {
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Whether some process of group `pgid` still runs (zombies, dead but not yet reaped by
/// whoever inherited them, do not count).
fn group_alive(pgid: Pid) -> bool {
    if test_kill_process_group(pgid).is_err() {
        return false;
    }
    live_member(pgid)
}

#[cfg(target_os = "linux")]
fn live_member(pgid: Pid) -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return false;
    };
    dir.filter_map(Result::ok).any(|e| {
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        // pid (comm) state ppid pgrp …; comm may hold anything, so read after its last ')'.
        let mut fields = stat
            .rsplit_once(')')
            .map(|(_, r)| r)
            .unwrap_or("")
            .split_whitespace();
        let state = fields.next().unwrap_or("Z");
        let pgrp = fields.nth(1).and_then(|p| p.parse::<i32>().ok());
        pgrp == Some(pgid.as_raw_nonzero().get()) && !matches!(state, "Z" | "X")
    })
}

#[cfg(not(target_os = "linux"))]
fn live_member(_pgid: Pid) -> bool {
    false
}

fn drain_stderr(mut stderr: impl Read + Send + 'static, tail: Arc<Mutex<Vec<u8>>>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = stderr.read(&mut buf) {
            if let Ok(mut t) = tail.lock() {
                t.extend_from_slice(&buf[..n]);
                let excess = t.len().saturating_sub(STDERR_TAIL);
                t.drain(..excess);
            }
        }
    });
}

/// A thread writing each queued line to the adapter's stdin; it ends when the adapter stops
/// reading for good (the pipe breaks) or the [`Running`] is dropped.
fn write_requests(mut stdin: impl Write + Send + 'static) -> Sender<String> {
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in rx {
            let written = stdin
                .write_all(line.as_bytes())
                .and_then(|()| stdin.write_all(b"\n"))
                .and_then(|()| stdin.flush());
            if written.is_err() {
                return;
            }
        }
    });
    tx
}

/// A thread reading the adapter's stdout line by line, each bounded by [`MAX_LINE`], skipping
/// blank lines (up to [`MAX_BLANK_LINES`] in a row); it ends with an error at the first line
/// that is too long or not UTF-8, or at the end of the stream.
fn read_lines(stdout: impl Read + Send + 'static) -> Receiver<Result<String, String>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let (mut blank_lines, mut blank_bytes) = (0usize, 0u64);
        loop {
            let mut buf = Vec::new();
            let got = (&mut reader).take(MAX_LINE).read_until(b'\n', &mut buf);
            let msg = match got {
                Ok(0) => Err("the adapter exited".to_owned()),
                Ok(n) if !buf.ends_with(b"\n") && n as u64 >= MAX_LINE => {
                    Err(format!("a line longer than {} MiB", MAX_LINE >> 20))
                }
                Ok(n) => match String::from_utf8(buf) {
                    Err(e) => Err(format!(
                        "a line that is not UTF-8 (invalid byte at offset {})",
                        e.utf8_error().valid_up_to()
                    )),
                    Ok(s) if s.trim().is_empty() => {
                        blank_lines += 1;
                        blank_bytes += n as u64;
                        if blank_lines <= MAX_BLANK_LINES && blank_bytes <= MAX_LINE {
                            continue;
                        }
                        Err(format!("more than {MAX_BLANK_LINES} blank lines in a row"))
                    }
                    Ok(s) => {
                        (blank_lines, blank_bytes) = (0, 0);
                        Ok(s.trim_end().to_owned())
                    }
                },
                Err(e) => Err(format!("reading its output: {e}")),
            };
            let stop = msg.is_err();
            if tx.send(msg).is_err() || stop {
                return;
            }
        }
    });
    rx
}

fn read_hello(r: &mut Running, timeout: Duration, secrets: &Secrets) -> Result<Hello, String> {
    let line = r.line(timeout).map_err(|e| {
        // Give the reader thread a moment to take what a dying adapter wrote last.
        std::thread::sleep(Duration::from_millis(100));
        let tail = r
            .stderr_tail
            .lock()
            .map(|t| String::from_utf8_lossy(&t).trim().to_owned())
            .unwrap_or_default();
        if tail.is_empty() {
            format!("no hello: {}", e.text())
        } else {
            format!(
                "no hello: {}; its stderr ends: {}",
                e.text(),
                shown(&tail, secrets)
            )
        }
    })?;
    let hello: Hello = serde_json::from_str(&line).map_err(|e| {
        format!(
            "first line is not a hello ({e}): {}",
            snippet(&line, secrets)
        )
    })?;
    if hello.ty != "hello" || hello.protocol != PROTOCOL_VERSION {
        return Err(format!(
            "hello of type {}, protocol {} (this runner speaks {PROTOCOL_VERSION})",
            snippet(&hello.ty, secrets),
            hello.protocol
        ));
    }
    for (field, value) in [
        ("name", &hello.name),
        ("version", &hello.version),
        ("language", &hello.language),
    ] {
        if value.len() > MAX_HELLO_FIELD {
            return Err(format!(
                "the hello's {field} is longer than {MAX_HELLO_FIELD} bytes"
            ));
        }
    }
    Ok(hello)
}

/// `line` with each `\uXXXX` escape of a lone UTF-16 surrogate replaced by `\uFFFD`, or `None`
/// when it has none. A library that accepts a claim holding a lone surrogate hands it back in
/// its answer, which is JSON by RFC 8259's grammar but no Rust string: read so, the answer is
/// judged (as accepting what it should refuse) instead of being taken for garbage.
fn lone_surrogates_replaced(line: &str) -> Option<String> {
    fn unit(b: &[u8], at: usize) -> Option<u16> {
        let hex = b.get(at..at + 6)?;
        if &hex[..2] != b"\\u" || !hex[2..].iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&hex[2..]).ok()?, 16).ok()
    }
    let b = line.as_bytes();
    let (mut out, mut from, mut i, mut changed) = (String::new(), 0, 0, false);
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        match unit(b, i) {
            Some(0xD800..=0xDBFF) if matches!(unit(b, i + 6), Some(0xDC00..=0xDFFF)) => i += 12,
            Some(0xD800..=0xDFFF) => {
                out.push_str(&line[from..i]);
                out.push_str("\\uFFFD");
                i += 6;
                from = i;
                changed = true;
            }
            Some(_) => i += 6,
            // Any other escape is two characters (an escaped backslash among them, so its
            // second backslash never starts an escape).
            None => i += 2,
        }
    }
    changed.then(|| {
        out.push_str(&line[from..]);
        out
    })
}

/// The start of an adapter line, redacted, quoted and escaped.
fn snippet(line: &str, secrets: &Secrets) -> String {
    format!("{:?}", shown(line, secrets))
}

/// Runs every vector of `files` through the adapter started by `command` (a shell command,
/// run in `cwd`). Fails only when the adapter cannot start or says no valid hello; after that,
/// every problem is one vector's verdict and the adapter is restarted for the next vector.
pub fn run_adapter(
    command: &str,
    cwd: Option<&Path>,
    files: &[VectorFile],
    opts: RunOptions,
) -> Result<AdapterReport, String> {
    run_adapter_with_progress(command, cwd, files, opts, &mut |_, _| {})
}

/// [`run_adapter`], calling `progress(done, total)` after each vector.
pub fn run_adapter_with_progress(
    command: &str,
    cwd: Option<&Path>,
    files: &[VectorFile],
    opts: RunOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<AdapterReport, String> {
    let secrets = secrets_of_files(files)?;
    let mut running = Running::start(command, cwd)?;
    let hello = read_hello(&mut running, opts.hello_timeout, &secrets)?;
    let profile = match hello.profile.as_str() {
        "warehouse" => Profile::Warehouse,
        "strict" => Profile::Strict,
        other => {
            return Err(format!(
                "hello names an unknown profile {}",
                snippet(other, &secrets)
            ))
        }
    };
    let mut session = Session {
        command,
        cwd,
        opts,
        hello: &hello,
        profile,
        secrets: &secrets,
        current: Some(running),
        dead: None,
        hangs: 0,
    };
    let total = files.iter().map(|f| f.vectors.len()).sum();
    let mut vectors = Vec::with_capacity(total);
    for file in files {
        for v in &file.vectors {
            let (verdict, answer) = match session.one_vector(file, v) {
                Ok((verdict, answer)) => (verdict, Some(answer)),
                Err(verdict) => (verdict, None),
            };
            vectors.push(VectorReport {
                id: v.id.clone(),
                category: file.category.clone(),
                kind: v.kind,
                profile: profile.name(),
                basis: basis_for(v, profile).class(),
                verdict,
                answer,
            });
            progress(vectors.len(), total);
        }
    }
    if let Some(mut r) = session.current.take() {
        r.end();
    }
    Ok(AdapterReport {
        hello,
        profile,
        vectors,
    })
}

/// The state of one adapter's run between vectors.
struct Session<'a> {
    command: &'a str,
    cwd: Option<&'a Path>,
    opts: RunOptions,
    hello: &'a Hello,
    profile: Profile,
    secrets: &'a Secrets,
    /// The adapter, when one is running and in step.
    current: Option<Running>,
    /// Set when the remaining vectors are not attempted, and why.
    dead: Option<String>,
    /// Hangs in a row.
    hangs: u32,
}

impl Session<'_> {
    /// One vector sent and judged: the verdict and what the adapter answered, or (as `Err`)
    /// the verdict on a vector that got no answer (unsupported, crashed, out of step).
    fn one_vector(
        &mut self,
        file: &VectorFile,
        v: &Vector,
    ) -> Result<(Judgement, Answer), Judgement> {
        let unsupported = |why: String| Judgement::Unsupported { why };
        if !self.hello.kinds.contains(&v.kind) {
            return Err(unsupported(format!(
                "{:?} vectors are not declared",
                v.kind
            )));
        }
        if let Some(cats) = &self.hello.categories {
            if !cats.contains(&file.category) {
                return Err(unsupported(format!(
                    "category {} is not declared",
                    file.category
                )));
            }
        }
        let Some(expected) = expected_for(v, self.profile) else {
            return Err(unsupported(format!(
                "no expectation for profile {}",
                self.profile
            )));
        };
        if let Some(why) = &self.dead {
            return Err(Judgement::Crashed { why: why.clone() });
        }
        let mut running = match self.current.take() {
            Some(r) => r,
            None => match self.restart() {
                Ok(r) => r,
                Err(why) => {
                    self.dead = Some(why.clone());
                    return Err(Judgement::Crashed { why });
                }
            },
        };
        let request = Request {
            ty: "request".into(),
            id: v.id.clone(),
            kind: v.kind,
            category: file.category.clone(),
            profile: self.profile.name().into(),
            input: v.input.clone(),
        };
        match serde_json::to_string(&request) {
            Ok(line) => running.send(line),
            Err(e) => {
                return Err(Judgement::crashed(
                    &format!("could not encode the request: {e}"),
                    self.secrets,
                ))
            }
        }
        let reply = match running.line(self.opts.timeout) {
            Ok(l) => l,
            Err(e) => {
                // `running` is dropped here: its whole group is killed.
                if matches!(e, NoAnswer::Hung(_)) {
                    self.hangs += 1;
                    if self.hangs >= self.opts.max_hangs.max(1) {
                        self.dead = Some(format!(
                            "not attempted after {} consecutive hangs",
                            self.hangs
                        ));
                    }
                } else {
                    self.hangs = 0;
                }
                return Err(Judgement::crashed(&e.text(), self.secrets));
            }
        };
        self.hangs = 0;
        let parsed =
            serde_json::from_str(&reply).or_else(|e| match lone_surrogates_replaced(&reply) {
                Some(readable) => serde_json::from_str(&readable),
                None => Err(e),
            });
        let response: Response = match parsed {
            Ok(r) => r,
            // The stream may be out of step now: restart for the next vector.
            Err(_) => {
                return Err(Judgement::Crashed {
                    why: format!("garbage output: {}", snippet(&reply, self.secrets)),
                })
            }
        };
        if response.ty != "response" || response.id != v.id {
            return Err(Judgement::Crashed {
                why: format!(
                    "answered {} to request {:?}",
                    snippet(&response.id, self.secrets),
                    v.id
                ),
            });
        }
        self.current = Some(running);
        self.judge(v, expected, response)
    }

    /// A fresh adapter, after the last one crashed, hung or fell out of step; its hello must be
    /// the first one's.
    fn restart(&self) -> Result<Running, String> {
        let mut r = Running::start(self.command, self.cwd)
            .map_err(|e| format!("restart failed: {}", shown(&e, self.secrets)))?;
        let hello = read_hello(&mut r, self.opts.hello_timeout, self.secrets)
            .map_err(|e| format!("restart failed: {e}"))?;
        if &hello != self.hello {
            return Err("restart failed: its new hello differs from the first".into());
        }
        Ok(r)
    }

    /// Compares a response with the expectation, over what the response claims; `Err` when it
    /// gave no verdict (answered unsupported, or an outcome the protocol does not have).
    fn judge(
        &self,
        v: &Vector,
        expected: &Value,
        r: Response,
    ) -> Result<(Judgement, Answer), Judgement> {
        let valid = match r.outcome.as_str() {
            "valid" => true,
            "invalid" => false,
            "unsupported" => {
                let why = r.message.as_deref().unwrap_or("answered unsupported");
                return Err(Judgement::Unsupported {
                    why: shown(why, self.secrets),
                });
            }
            other => {
                return Err(Judgement::Crashed {
                    why: format!("unknown outcome {}", snippet(other, self.secrets)),
                })
            }
        };
        let protocol_error = |why: String| Judgement::Crashed {
            why: format!("protocol error: {}", shown(&why, self.secrets)),
        };
        if let Some(code) = r.codes.iter().flatten().find(|c| c.starts_with(RESERVED)) {
            if code != EARLIER_PROOF_REFUSED {
                return Err(protocol_error(format!(
                    "a code in the protocol's reserved `adapter.` namespace that is not one of its codes: {}",
                    snippet(code, self.secrets)
                )));
            }
            let replayed = v.input.get("replay").and_then(Value::as_array);
            if valid || replayed.is_none_or(|earlier| earlier.is_empty()) {
                return Err(protocol_error(format!(
                    "{EARLIER_PROOF_REFUSED} answers an invalid verdict on a vector with earlier proofs"
                )));
            }
            // The vector was never reached: whatever it expects, the library refused a proof
            // that is valid, so the verdict cannot count for it.
            let said = r.message.as_deref().unwrap_or("no message");
            let why = format!("refused an earlier proof of the replay, which is valid: {said}");
            let got = Map::from_iter([("valid".to_owned(), json!(false))]);
            let answer = Answer::of(&got).unwrap_or(Answer::InvalidWithoutCodes);
            let failed = Judgement::Failed {
                class: FailureClass::RefusesValid,
                why: shown(&why, self.secrets),
            };
            return Ok((failed, answer));
        }
        let mut got = Map::new();
        got.insert("valid".into(), json!(valid));
        if let Some(c) = r.codes {
            got.insert("codes".into(), json!(c));
        }
        if let Some(m) = r.message {
            got.insert("message".into(), json!(m));
        }
        for (k, val) in r.value.into_iter().flatten() {
            if !v.kind.value_fields().contains(&k.as_str()) {
                return Err(protocol_error(format!(
                    "a value field that is not one of a {} vector's ({}): {}",
                    json!(v.kind).as_str().unwrap_or("this"),
                    v.kind.value_fields().join(", "),
                    snippet(&k, self.secrets),
                )));
            }
            got.insert(k, val);
        }
        let claims = Claims {
            codes_when_sent: true,
            messages: self.hello.messages,
            only_sent_fields: true,
        };
        // `got` holds `valid`, so there is always an answer.
        let answer = Answer::of(&got).unwrap_or(Answer::InvalidWithoutCodes);
        Ok((
            judge(expected, &got, self.profile, claims, self.secrets),
            answer,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::lone_surrogates_replaced as replaced;

    #[test]
    fn only_lone_surrogate_escapes_are_replaced() {
        assert_eq!(replaced(r#"{"a":"x"}"#), None);
        assert_eq!(replaced(r#""\ud83d\ude00""#), None, "a pair is kept");
        assert_eq!(
            replaced(r#""\\ud800""#),
            None,
            "an escaped backslash, then text"
        );
        assert_eq!(replaced(r#""\u00e9\n""#), None);
        assert_eq!(replaced(r#""\ud800""#).as_deref(), Some(r#""\uFFFD""#));
        assert_eq!(replaced(r#""\uDC00é""#).as_deref(), Some(r#""\uFFFDé""#));
        assert_eq!(
            replaced(r#""\ude00\ud83d""#).as_deref(),
            Some(r#""\uFFFD\uFFFD""#),
            "a reversed pair is two lone surrogates"
        );
        assert_eq!(
            replaced(r#""\ud800\\ud800\ud800x""#).as_deref(),
            Some(r#""\uFFFD\\ud800\uFFFDx""#)
        );
        assert_eq!(
            replaced(r#""\ud80"#),
            None,
            "a truncated escape is left to the parser"
        );
        assert_eq!(replaced("\\"), None);
        assert_eq!(replaced("é\\"), None);
    }
}
