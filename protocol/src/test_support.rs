//! Helpers shared by the unit tests of this crate.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Reads `line` as a `T` and writes it back: the result must be `line` byte for byte, which pins
/// field names, field order and `null`-versus-absent at once.
pub fn assert_wire_exact<T: Serialize + DeserializeOwned>(line: &str) -> T {
    let value: T = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("cannot read as {}: {e}\n{line}", std::any::type_name::<T>()));
    let written = serde_json::to_string(&value).unwrap();
    assert_eq!(written, line, "{} does not write back what it read", std::any::type_name::<T>());
    value
}
