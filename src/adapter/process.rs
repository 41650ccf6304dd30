//! Running vectors through an adapter process, one request and one response at a time.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use super::protocol::{Hello, Request, Response, PROTOCOL_VERSION};
use super::redact::redact;
use crate::profile::Profile;
use crate::vectors::{compare, expected_for, CheckResult, Kind, Vector, VectorFile};

/// No adapter line is longer than this; a longer one is garbage (and would otherwise let a
/// broken adapter exhaust the runner's memory).
const MAX_LINE: u64 = 4 << 20;

/// How long the runner waits.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// For each response.
    pub timeout: Duration,
    /// For the hello (interpreters and checkouts take a while to load).
    pub hello_timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            timeout: Duration::from_secs(10),
            hello_timeout: Duration::from_secs(120),
        }
    }
}

/// What became of one vector.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "result", content = "why", rename_all = "snake_case")]
pub enum Verdict {
    /// Agreed with the expectation.
    Passed,
    /// Disagreed; what it did instead (secrets redacted).
    Failed(String),
    /// Outside what the implementation declares or answered it does not implement.
    Unsupported(String),
    /// Crashed, hung, or wrote something that is not a response (secrets redacted).
    Crashed(String),
}

/// One vector's verdict.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VectorReport {
    /// Vector id.
    pub id: String,
    /// Its category.
    pub category: String,
    /// Its kind.
    pub kind: Kind,
    /// The verdict.
    pub verdict: Verdict,
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

/// A running adapter: its stdin, and its stdout's lines arriving from a reader thread (so a
/// silent adapter can be waited for with a deadline).
struct Running {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<Result<String, String>>,
    /// The last bytes of its stderr, kept only to explain an adapter that fails to start.
    stderr_tail: Arc<Mutex<Vec<u8>>>,
}

/// How much of an adapter's stderr is kept.
const STDERR_TAIL: usize = 2048;

impl Running {
    fn start(command: &str, cwd: Option<&Path>) -> Result<Running, String> {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(command)
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
        let (Some(stdin), Some(stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            return Err("no pipes to the adapter".into());
        };
        let stderr_tail = Arc::new(Mutex::new(Vec::new()));
        let tail = Arc::clone(&stderr_tail);
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
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut buf = Vec::new();
                let got = (&mut reader).take(MAX_LINE).read_until(b'\n', &mut buf);
                let msg = match got {
                    Ok(0) => Err("the adapter exited".to_owned()),
                    Ok(_) if !buf.ends_with(b"\n") && buf.len() as u64 >= MAX_LINE => {
                        Err("a line longer than 4 MiB".to_owned())
                    }
                    Ok(_) => Ok(String::from_utf8_lossy(&buf).trim_end().to_owned()),
                    Err(e) => Err(format!("reading its output: {e}")),
                };
                let stop = msg.is_err();
                if tx.send(msg).is_err() || stop {
                    return;
                }
            }
        });
        Ok(Running {
            child,
            stdin,
            lines: rx,
            stderr_tail,
        })
    }

    /// The next non-empty line, or why there is none.
    fn line(&mut self, timeout: Duration) -> Result<String, String> {
        loop {
            match self.lines.recv_timeout(timeout) {
                Ok(Ok(l)) if l.trim().is_empty() => continue,
                Ok(r) => return r,
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "no answer within {} s (hung)",
                        timeout.as_secs_f32()
                    ))
                }
                Err(RecvTimeoutError::Disconnected) => return Err("the adapter exited".into()),
            }
        }
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_hello(r: &mut Running, timeout: Duration) -> Result<Hello, String> {
    let line = r.line(timeout).map_err(|e| {
        // Give the reader thread a moment to take what a dying adapter wrote last.
        std::thread::sleep(Duration::from_millis(100));
        let tail = r
            .stderr_tail
            .lock()
            .map(|t| String::from_utf8_lossy(&t).trim().to_owned())
            .unwrap_or_default();
        if tail.is_empty() {
            format!("no hello: {e}")
        } else {
            format!("no hello: {e}; its stderr ends: {}", redact(&tail, &[]))
        }
    })?;
    let hello: Hello = serde_json::from_str(&line)
        .map_err(|e| format!("first line is not a hello ({e}): {}", snippet(&line, &[])))?;
    if hello.ty != "hello" || hello.protocol != PROTOCOL_VERSION {
        return Err(format!(
            "hello of type {:?}, protocol {} (this runner speaks {PROTOCOL_VERSION})",
            hello.ty, hello.protocol
        ));
    }
    Ok(hello)
}

fn snippet(line: &str, secrets: &[&str]) -> String {
    let r = redact(line, secrets);
    let cut = (0..=200.min(r.len()))
        .rev()
        .find(|i| r.is_char_boundary(*i))
        .unwrap_or(0);
    if cut < r.len() {
        format!("{:?}…", &r[..cut])
    } else {
        format!("{r:?}")
    }
}

/// The secrets a vector carries: its token (with and without prefix), its key, and tokens it
/// expects to be produced.
fn secrets_of(v: &Vector) -> Vec<String> {
    let mut out = Vec::new();
    for field in ["token", "key_hex"] {
        if let Some(s) = v.input.get(field).and_then(Value::as_str) {
            out.push(s.to_owned());
            if let Some((_, body)) = s.split_once('-') {
                out.push(body.to_owned());
            }
        }
    }
    if let Some(t) = v.expected.get("token").and_then(Value::as_str) {
        out.push(t.to_owned());
    }
    out
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
    let mut running = Running::start(command, cwd)?;
    let hello = read_hello(&mut running, opts.hello_timeout)?;
    let profile = match hello.profile.as_str() {
        "warehouse" => Profile::Warehouse,
        "strict" => Profile::Strict,
        other => return Err(format!("hello names an unknown profile {other:?}")),
    };
    let mut current = Some(running);
    // Set when a restart failed: the remaining vectors are not attempted.
    let mut dead: Option<String> = None;
    let mut vectors = Vec::new();
    for file in files {
        for v in &file.vectors {
            let verdict = one_vector(
                command,
                cwd,
                &hello,
                profile,
                file,
                v,
                opts,
                &mut current,
                &mut dead,
            );
            vectors.push(VectorReport {
                id: v.id.clone(),
                category: file.category.clone(),
                kind: v.kind,
                verdict,
            });
        }
    }
    if let Some(r) = current {
        r.stop();
    }
    Ok(AdapterReport {
        hello,
        profile,
        vectors,
    })
}

#[allow(clippy::too_many_arguments)]
fn one_vector(
    command: &str,
    cwd: Option<&Path>,
    hello: &Hello,
    profile: Profile,
    file: &VectorFile,
    v: &Vector,
    opts: RunOptions,
    current: &mut Option<Running>,
    dead: &mut Option<String>,
) -> Verdict {
    if !hello.kinds.contains(&v.kind) {
        return Verdict::Unsupported(format!("{:?} vectors are not declared", v.kind));
    }
    if let Some(cats) = &hello.categories {
        if !cats.contains(&file.category) {
            return Verdict::Unsupported(format!("category {} is not declared", file.category));
        }
    }
    let Some(expected) = expected_for(v, profile) else {
        return Verdict::Unsupported(format!("no expectation for profile {profile}"));
    };
    if let Some(why) = dead {
        return Verdict::Crashed(why.clone());
    }
    let secrets = secrets_of(v);
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let running = match current.take() {
        Some(r) => r,
        None => match Running::start(command, cwd)
            .and_then(|mut r| read_hello(&mut r, opts.hello_timeout).map(|_| r))
        {
            Ok(r) => r,
            Err(e) => {
                let why = format!("restart failed: {}", redact(&e, &secrets));
                *dead = Some(why.clone());
                return Verdict::Crashed(why);
            }
        },
    };
    let mut running = running;
    let request = Request {
        ty: "request".into(),
        id: v.id.clone(),
        kind: v.kind,
        category: file.category.clone(),
        profile: profile.name().into(),
        input: v.input.clone(),
    };
    let line = match serde_json::to_string(&request) {
        Ok(l) => l,
        Err(e) => return Verdict::Crashed(format!("could not encode the request: {e}")),
    };
    if writeln!(running.stdin, "{line}")
        .and_then(|_| running.stdin.flush())
        .is_err()
    {
        // Crashed before or while reading this request; `running` is dropped (killed).
        return Verdict::Crashed("the adapter exited before reading the request".into());
    }
    let reply = match running.line(opts.timeout) {
        Ok(l) => l,
        Err(e) => return Verdict::Crashed(redact(&e, &secrets)),
    };
    let response: Response = match serde_json::from_str(&reply) {
        Ok(r) => r,
        Err(_) => {
            // The stream may be out of step now: restart for the next vector.
            return Verdict::Crashed(format!("garbage output: {}", snippet(&reply, &secrets)));
        }
    };
    if response.ty != "response" || response.id != v.id {
        return Verdict::Crashed(format!(
            "answered {:?} to request {:?}",
            redact(&response.id, &secrets),
            v.id
        ));
    }
    *current = Some(running);
    judge(hello, profile, expected, &response, &secrets)
}

/// Compares a response with the expectation, over what the response carries.
fn judge(
    hello: &Hello,
    profile: Profile,
    expected: &Value,
    r: &Response,
    secrets: &[&str],
) -> Verdict {
    let valid = match r.outcome.as_str() {
        "valid" => true,
        "invalid" => false,
        "unsupported" => {
            let why = r.message.as_deref().unwrap_or("answered unsupported");
            return Verdict::Unsupported(redact(why, secrets));
        }
        other => return Verdict::Crashed(format!("unknown outcome {:?}", redact(other, secrets))),
    };
    let mut got = serde_json::Map::new();
    got.insert("valid".into(), json!(valid));
    if let Some(c) = &r.codes {
        got.insert("codes".into(), json!(c));
    }
    if let Some(m) = &r.message {
        got.insert("message".into(), json!(m));
    }
    if let Some(value) = &r.value {
        for (k, val) in value {
            if !matches!(k.as_str(), "valid" | "codes" | "message") {
                got.insert(k.clone(), val.clone());
            }
        }
    }
    // Hold it to what it claims to have: codes if it sent any, messages if it reproduces
    // PyPI's, produced fields it sent.
    let mut exp = expected.as_object().cloned().unwrap_or_default();
    exp.retain(|k, _| match k.as_str() {
        "valid" => true,
        "codes" => r.codes.is_some(),
        "message" => hello.messages,
        other => got.contains_key(other),
    });
    if !hello.messages {
        got.remove("message");
    }
    let exp_valid = exp.get("valid").and_then(Value::as_bool);
    if exp_valid != Some(valid) {
        let said = describe(valid, r);
        return Verdict::Failed(redact(
            &format!(
                "expected {}, got {said}",
                if exp_valid == Some(true) {
                    "valid"
                } else {
                    "invalid"
                }
            ),
            secrets,
        ));
    }
    match compare(&Value::Object(exp), &Value::Object(got), profile) {
        CheckResult::Pass | CheckResult::Skip(_) => Verdict::Passed,
        CheckResult::Fail(why) => Verdict::Failed(redact(&why, secrets)),
    }
}

fn describe(valid: bool, r: &Response) -> String {
    let mut s = String::from(if valid { "valid" } else { "invalid" });
    if let Some(c) = r.codes.as_ref().filter(|c| !c.is_empty()) {
        s.push_str(&format!(" {c:?}"));
    }
    if let Some(m) = &r.message {
        let m: String = m.chars().take(160).collect();
        s.push_str(&format!(": {m}"));
    }
    s
}
