//! JSON between serde_json and Python objects (claims, JWKs, inspect's report).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde_json::Value;

use crate::args::text;
use crate::errors::input_error;

/// `value` as the Python object `json.loads` would give.
pub fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => map_to_py(py, map)?.into_any(),
    })
}

/// A JSON object as a `dict`.
pub fn map_to_py<'py>(
    py: Python<'py>,
    map: &serde_json::Map<String, Value>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(k, to_py(py, v)?)?;
    }
    Ok(dict)
}

/// A JSON object given as a `dict` (serialized by Python's `json`, NaN refused) or as JSON
/// text, read by serde_json.
pub fn object_from_py(obj: &Bound<'_, PyAny>) -> PyResult<serde_json::Map<String, Value>> {
    let py = obj.py();
    let json_text = if obj.is_instance_of::<PyString>() {
        text(obj)?.0
    } else if obj.is_instance_of::<PyDict>() {
        let kwargs = PyDict::new(py);
        kwargs.set_item("allow_nan", false)?;
        let dumped = py
            .import("json")?
            .getattr("dumps")?
            .call((obj,), Some(&kwargs))
            .map_err(|_| input_error(py, "json", "the dict is not JSON data"))?;
        text(&dumped)?.0
    } else {
        return Err(PyTypeError::new_err(
            "expected a dict or JSON text of an object",
        ));
    };
    match serde_json::from_str::<Value>(&json_text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(input_error(py, "json", "not a JSON object")),
        Err(_) => Err(input_error(py, "json", "not JSON text")),
    }
}
