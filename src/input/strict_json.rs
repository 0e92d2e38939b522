//! Strict JSON reading for snapshots and baselines: serde_json driven through a wrapper that
//! rejects what serde would quietly accept — a duplicate key in any object (serde keeps the last,
//! so a second `"ap-south-1"` would replace the whole primary region), and an array where an
//! object is expected (serde reads a struct from a positional array, so `"resources": []` would
//! audit as an empty account). Errors carry serde_json's line and column like any other.

use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

/// Parse `text` as one JSON document of type `T`, strictly.
pub fn from_str<'de, T: de::Deserialize<'de>>(text: &'de str) -> Result<T, serde_json::Error> {
    let mut json = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(Strict(&mut json))?;
    json.end()?;
    Ok(value)
}

/// What the value being read must be, as far as the wrapper checks it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Anything.
    Any,
    /// A struct: an object, never an array.
    Struct,
}

struct Strict<D>(D);

macro_rules! forward_deserialize {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method(Checked { visitor, shape: Shape::Any })
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<D> {
    type Error = D::Error;

    forward_deserialize!(
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier
    );

    /// What a type skips (a baseline reads only fingerprints) is still checked for duplicate
    /// keys: the document must be one no reader could take two ways.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(Checked { visitor, shape: Shape::Any })
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, Checked { visitor, shape: Shape::Any })
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Checked { visitor, shape: Shape::Any })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Checked { visitor, shape: Shape::Any })
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, Checked { visitor, shape: Shape::Any })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, Checked { visitor, shape: Shape::Struct })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, Checked { visitor, shape: Shape::Any })
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// A seed whose value is read strictly.
struct StrictSeed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for StrictSeed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Strict(deserializer))
    }
}

/// A visitor that keeps everything below it strict and applies its [`Shape`].
struct Checked<V> {
    visitor: V,
    shape: Shape,
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty))*) => {$(
        fn $method<E: de::Error>(self, value: $ty) -> Result<V::Value, E> {
            self.visitor.$method(value)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Checked<V> {
    type Value = V::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(formatter)
    }

    forward_visit!(
        visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64) visit_i128(i128)
        visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64) visit_u128(u128)
        visit_f32(f32) visit_f64(f64) visit_char(char) visit_str(&str) visit_borrowed_str(&'de str)
        visit_string(String) visit_bytes(&[u8]) visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    );

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_some(Strict(deserializer))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_newtype_struct(Strict(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        if self.shape == Shape::Struct {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        self.visitor.visit_seq(StrictSeq(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(StrictMap { map, seen: SeenKeys::default() })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_enum(StrictEnum(data))
    }
}

struct StrictSeq<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for StrictSeq<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(StrictSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// The keys of one object read so far. Most objects (tags, regions) are small: a list until
/// it grows, then a set, so a large map stays linear.
#[derive(Default)]
struct SeenKeys<'de> {
    few: Vec<Cow<'de, str>>,
    many: HashSet<Cow<'de, str>>,
}

impl<'de> SeenKeys<'de> {
    const FEW: usize = 16;

    /// Record `key`; false when it was already there.
    fn insert(&mut self, key: Cow<'de, str>) -> bool {
        if !self.many.is_empty() {
            return self.many.insert(key);
        }
        if self.few.contains(&key) {
            return false;
        }
        self.few.push(key);
        if self.few.len() > Self::FEW {
            self.many.extend(self.few.drain(..));
        }
        true
    }
}

/// An object's members. Structs are checked as well as maps: serde rejects a repeated known
/// field, but a struct that skips unknown fields (a baseline's findings) would skip repeats too.
struct StrictMap<'de, A> {
    map: A,
    seen: SeenKeys<'de>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for StrictMap<'de, A> {
    type Error = A::Error;

    /// The key is read as text first (JSON keys are strings), checked, then handed to the
    /// real key type — `String`, a struct's field name or a string enum — as a string.
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        let Some(key) = self.map.next_key_seed(KeyText)? else { return Ok(None) };
        if !self.seen.insert(key.clone()) {
            return Err(de::Error::custom(format_args!(
                "duplicate key `{key}`: an object may name each key once (a second one would silently replace the first)"
            )));
        }
        match key {
            Cow::Borrowed(text) => seed.deserialize(BorrowedStrDeserializer::new(text)).map(Some),
            Cow::Owned(text) => seed.deserialize(StringDeserializer::new(text)).map(Some),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.map.next_value_seed(StrictSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

struct StrictEnum<A>(A);

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for StrictEnum<A> {
    type Error = A::Error;
    type Variant = StrictVariant<A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self::Variant), A::Error> {
        let (value, variant) = self.0.variant_seed(seed)?;
        Ok((value, StrictVariant(variant)))
    }
}

struct StrictVariant<A>(A);

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for StrictVariant<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(StrictSeed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Checked { visitor, shape: Shape::Any })
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, Checked { visitor, shape: Shape::Struct })
    }
}

/// A map key's text, borrowed from the input where it has no escapes.
struct KeyText;

impl<'de> DeserializeSeed<'de> for KeyText {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Cow<'de, str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyText {
    type Value = Cow<'de, str>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a string key")
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(value.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        #[serde(default)]
        regions: BTreeMap<String, Region>,
        #[serde(default)]
        tags: Option<BTreeMap<String, String>>,
        #[serde(default)]
        list: Vec<Region>,
        #[serde(default)]
        known: Option<Known>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Region {
        #[serde(default)]
        name: String,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Known {
        Value(BTreeMap<String, u32>),
        Unknown { why: String },
    }

    fn parse(text: &str) -> Result<Doc, String> {
        from_str::<Doc>(text).map_err(|e| e.to_string())
    }

    #[test]
    fn well_formed_documents_read_as_serde_reads_them() {
        let text = r#"{"regions": {"a": {"name": "x"}, "b\u0041": {}}, "tags": {"k": "v"},
            "list": [{"name": "y"}], "known": {"value": {"n": 1}}}"#;
        assert_eq!(parse(text), serde_json::from_str::<Doc>(text).map_err(|e| e.to_string()));
        assert!(parse(r#"{"known": {"unknown": {"why": "denied"}}}"#).is_ok());
    }

    #[test]
    fn duplicate_keys_are_rejected_with_their_position() {
        let error = parse("{\"regions\": {\"a\": {},\n \"a\": {\"name\": \"x\"}}}").unwrap_err();
        assert!(error.contains("duplicate key `a`"), "{error}");
        assert!(error.contains("line 2 column 4"), "{error}");
        // Escaped and plain spellings of one key are one key.
        assert!(parse(r#"{"tags": {"k": "1", "\u006b": "2"}}"#).unwrap_err().contains("duplicate key `k`"));
        assert!(parse(r#"{"known": {"value": {"n": 1, "n": 2}}}"#).is_err());
        // Skipped content is checked too.
        #[derive(Debug, Deserialize)]
        struct Fingerprints {
            #[allow(dead_code)]
            findings: Vec<String>,
        }
        let skipped = r#"{"findings": [], "summary": {"fail": 1, "fail": 2}}"#;
        assert!(serde_json::from_str::<Fingerprints>(skipped).is_ok(), "serde alone accepts it");
        assert!(from_str::<Fingerprints>(skipped).unwrap_err().to_string().contains("duplicate key `fail`"));
        #[derive(Debug, Deserialize)]
        struct Finding {
            #[allow(dead_code)]
            fingerprint: String,
        }
        let skipped_field = r#"{"fingerprint": "f", "message": "a", "message": "b"}"#;
        assert!(
            from_str::<Finding>(skipped_field).unwrap_err().to_string().contains("duplicate key `message`")
        );
        assert!(parse(r#"{"list": [], "list": []}"#).unwrap_err().contains("duplicate key `list`"));
    }

    #[test]
    fn large_objects_are_checked_too() {
        let keys: Vec<String> = (0..100).map(|i| format!("\"k{i}\": \"v\"")).collect();
        let unique = format!("{{\"tags\": {{{}}}}}", keys.join(","));
        assert!(parse(&unique).is_ok());
        let repeated = format!("{{\"tags\": {{{}, \"k50\": \"w\"}}}}", keys.join(","));
        assert!(parse(&repeated).unwrap_err().contains("duplicate key `k50`"));
    }

    #[test]
    fn arrays_are_not_structs() {
        assert!(parse(r#"{"list": [["x"]]}"#).unwrap_err().contains("invalid type: sequence"));
        assert!(parse(r#"[{}]"#).is_err());
        assert!(parse(r#"{"known": {"unknown": ["denied"]}}"#).is_err());
        assert!(serde_json::from_str::<Doc>(r#"{"list": [["x"]]}"#).is_ok(), "serde alone accepts it");
    }
}
