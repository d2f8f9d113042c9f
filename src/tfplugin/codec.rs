//! msgpack and JSON encodings of [`super::value::Value`].
