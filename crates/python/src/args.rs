//! Arguments from Python, each checked to its type and value before any layer sees it.
//!
//! Text is `str` only (never `bytes`, so a token is never guessed to be in some encoding) and
//! valid Unicode (a lone surrogate cannot become UTF-8); keys are `bytes`; times are `int`
//! or an aware `datetime` (never `bool`, never `float`, never a naive `datetime` whose zone
//! would be guessed). A wrong type is a `TypeError` naming the argument; a wrong value an
//! `InputError`. Neither repeats the value.

use std::time::{SystemTime, UNIX_EPOCH};

use caveatspec::Profile;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyInt, PyString};

use crate::errors::input_error;

/// The Python type's name of `obj`, for messages.
fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned())
}

/// A `str` argument as UTF-8.
pub struct Text(pub String);

impl<'a, 'py> FromPyObject<'a, 'py> for Text {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        text(&obj)
    }
}

/// `obj` as UTF-8 text; see the module documentation.
pub fn text(obj: &Bound<'_, PyAny>) -> PyResult<Text> {
    let py = obj.py();
    let s = obj
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(format!("expected str, got {}", type_name(obj))))?;
    match s.to_cow() {
        Ok(t) => Ok(Text(t.into_owned())),
        Err(_) => Err(input_error(
            py,
            "text",
            "text holds a lone surrogate, which UTF-8 cannot carry",
        )),
    }
}

/// A sequence of `str` (a list or tuple; a single `str` is refused, not read as characters).
pub struct TextList(pub Vec<String>);

impl<'a, 'py> FromPyObject<'a, 'py> for TextList {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_instance_of::<PyString>()
            || obj.is_instance_of::<PyBytes>()
            || obj.is_instance_of::<PyByteArray>()
        {
            return Err(PyTypeError::new_err(format!(
                "expected a list of str, got {}",
                type_name(&obj)
            )));
        }
        let mut out = Vec::new();
        for item in obj.try_iter()? {
            out.push(text(&item?)?.0);
        }
        Ok(TextList(out))
    }
}

/// Key bytes: `bytes` or `bytearray`, never `str`.
pub struct Key(pub Vec<u8>);

impl<'a, 'py> FromPyObject<'a, 'py> for Key {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(b) = obj.cast::<PyBytes>() {
            return Ok(Key(b.as_bytes().to_vec()));
        }
        if let Ok(b) = obj.cast::<PyByteArray>() {
            return Ok(Key(b.to_vec()));
        }
        Err(PyTypeError::new_err(format!(
            "expected bytes, got {}",
            type_name(&obj)
        )))
    }
}

/// A point in time, Unix seconds: `int`, or an aware `datetime` (floored to the second).
pub struct Time(pub i64);

impl<'a, 'py> FromPyObject<'a, 'py> for Time {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        time(&obj)
    }
}

static DATETIME: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn time(obj: &Bound<'_, PyAny>) -> PyResult<Time> {
    let py = obj.py();
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(
            "expected int seconds or an aware datetime, got bool",
        ));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        return i
            .extract::<i64>()
            .map(Time)
            .map_err(|_| input_error(py, "time", "the time does not fit in 64-bit Unix seconds"));
    }
    let datetime = DATETIME.get_or_try_init(py, || {
        py.import("datetime")?
            .getattr("datetime")
            .map(Bound::unbind)
    })?;
    if !obj.is_instance(datetime.bind(py))? {
        return Err(PyTypeError::new_err(format!(
            "expected int seconds or an aware datetime, got {}",
            type_name(obj)
        )));
    }
    if obj.call_method0("utcoffset")?.is_none() {
        return Err(input_error(
            py,
            "time",
            "a naive datetime has no time zone; give an aware one (tzinfo set)",
        ));
    }
    let epoch = EPOCH.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        let module = py.import("datetime")?;
        let utc = module.getattr("timezone")?.getattr("utc")?;
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("tzinfo", utc)?;
        Ok(module
            .getattr("datetime")?
            .call((1970, 1, 1), Some(&kwargs))?
            .unbind())
    })?;
    // A timedelta is normalized to days, 0 <= seconds < 86400 and microseconds: whole
    // seconds since the epoch, floored, are exact.
    let delta = obj.call_method1("__sub__", (epoch.bind(py),))?;
    let days: i64 = delta.getattr("days")?.extract()?;
    let seconds: i64 = delta.getattr("seconds")?.extract()?;
    Ok(Time(days * 86_400 + seconds))
}

/// `now`, or the system clock when `None`.
pub fn now_or_clock(now: Option<Time>) -> i64 {
    match now {
        Some(Time(t)) => t,
        None => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0),
    }
}

/// A profile name: `"warehouse"` (what PyPI accepts today) or `"strict"`.
pub struct ProfileName(pub Profile);

impl<'a, 'py> FromPyObject<'a, 'py> for ProfileName {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        match text(&obj)?.0.as_str() {
            "warehouse" => Ok(ProfileName(Profile::Warehouse)),
            "strict" => Ok(ProfileName(Profile::Strict)),
            _ => Err(input_error(
                obj.py(),
                "profile",
                "profile must be \"warehouse\" or \"strict\"",
            )),
        }
    }
}
