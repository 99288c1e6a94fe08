//! Proptest strategies for hostile response bodies and replies, built around a backend's own
//! correct sample bodies (from its spec) and the words it must never leak.

use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde_json::{Map, Value};

use super::server::{Body, Reply};

/// What the strategies build on: correct bodies of one endpoint, and words to sprinkle into
/// generated text (the site's secrets, so that an echo of one shows up in any error that
/// quotes the body).
#[derive(Clone, Debug)]
pub struct Material {
    samples: Vec<Vec<u8>>,
    words: Vec<String>,
    keys: Vec<String>,
}

impl Material {
    /// `samples` are correct bodies (JSON or not); `words` are secrets and other text worth
    /// echoing. The object keys of the JSON samples become the keys of generated objects, so
    /// wrong-typed values land on the field names the backend reads.
    pub fn new(samples: &[&str], words: &[&str]) -> Self {
        let mut keys = vec!["error".to_owned(), "data".to_owned(), "items".to_owned()];
        for sample in samples {
            if let Ok(value) = serde_json::from_str::<Value>(sample) {
                collect_keys(&value, &mut keys);
            }
        }
        keys.sort();
        keys.dedup();
        let mut words: Vec<String> = words.iter().map(|word| (*word).to_owned()).collect();
        words.push(String::new());
        Self {
            samples: samples
                .iter()
                .map(|sample| sample.as_bytes().to_vec())
                .collect(),
            words,
            keys,
        }
    }
}

fn collect_keys(value: &Value, keys: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                keys.push(key.clone());
                collect_keys(inner, keys);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_keys(item, keys)),
        _ => {}
    }
}

/// Any hostile body: arbitrary bytes, a sample cut short, a sample with one value swapped for
/// one of another type, JSON of the wrong shape, deep nesting, very long text, or a correct
/// sample as it is.
pub fn body(material: &Material) -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        2 => arbitrary_bytes(),
        3 => truncated_sample(material),
        4 => mutated_sample(material),
        3 => wrong_shape(material),
        1 => deep_nesting(),
        1 => long_text(material),
        1 => select(material.samples.clone()),
    ]
    .boxed()
}

/// Up to 512 arbitrary bytes.
pub fn arbitrary_bytes() -> BoxedStrategy<Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..512).boxed()
}

/// A correct sample cut at a random point (possibly in the middle of a UTF-8 character).
pub fn truncated_sample(material: &Material) -> BoxedStrategy<Vec<u8>> {
    (select(material.samples.clone()), any::<Index>())
        .prop_map(|(sample, cut)| {
            let end = cut.index(sample.len().max(1));
            sample[..end.min(sample.len())].to_vec()
        })
        .boxed()
}

/// A JSON sample with one value (anywhere in it, the whole body included) replaced by a
/// generated one: a number where text was, null, an object instead of an array, …
pub fn mutated_sample(material: &Material) -> BoxedStrategy<Vec<u8>> {
    let parsed: Vec<Value> = material
        .samples
        .iter()
        .filter_map(|sample| serde_json::from_slice(sample).ok())
        .collect();
    if parsed.is_empty() {
        return wrong_shape(material);
    }
    // Echoed words are what error messages must not quote: one mutation in three is one.
    let replacement = prop_oneof![
        2 => json_value(material),
        1 => select(material.words.clone()).prop_map(Value::String),
    ];
    (select(parsed), any::<Index>(), replacement)
        .prop_map(|(mut sample, at, replacement)| {
            let mut pointers = Vec::new();
            collect_pointers(&sample, String::new(), &mut pointers);
            let pointer = &pointers[at.index(pointers.len())];
            if let Some(slot) = sample.pointer_mut(pointer) {
                *slot = replacement;
            }
            serde_json::to_vec(&sample).expect("a JSON value prints")
        })
        .boxed()
}

fn collect_pointers(value: &Value, here: String, pointers: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                collect_pointers(inner, format!("{here}/{escaped}"), pointers);
            }
        }
        Value::Array(items) => {
            for (index, inner) in items.iter().enumerate() {
                collect_pointers(inner, format!("{here}/{index}"), pointers);
            }
        }
        _ => {}
    }
    pointers.push(here);
}

/// Valid JSON of any shape, with the samples' keys and the material's words.
pub fn wrong_shape(material: &Material) -> BoxedStrategy<Vec<u8>> {
    json_value(material)
        .prop_map(|value| serde_json::to_vec(&value).expect("a JSON value prints"))
        .boxed()
}

/// A JSON value: scalars of every type (huge numbers and long text included), arrays and
/// objects, a few levels deep.
pub fn json_value(material: &Material) -> BoxedStrategy<Value> {
    let keys = material.keys.clone();
    scalar(material)
        .prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec((select(keys.clone()), inner), 0..6)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
            ]
        })
        .boxed()
}

fn scalar(material: &Material) -> BoxedStrategy<Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
        3 => select(material.words.clone()).prop_map(Value::String),
        1 => proptest::collection::vec(any::<char>(), 0..24)
            .prop_map(|chars| Value::String(chars.into_iter().collect())),
        1 => (1usize..8_000).prop_map(|length| Value::String("é".repeat(length))),
    ]
    .boxed()
}

/// Arrays or objects nested up to 20 000 deep, closed or not.
pub fn deep_nesting() -> BoxedStrategy<Vec<u8>> {
    let openers = vec![("[", "]"), ("{\"a\":", "}"), ("[{\"results\":", "}]")];
    (select(openers), 1usize..20_000, any::<bool>())
        .prop_map(|((open, close), depth, closed)| {
            let mut text = open.repeat(depth);
            text.push('1');
            if closed {
                text.push_str(&close.repeat(depth));
            }
            text.into_bytes()
        })
        .boxed()
}

/// A JSON string, or bare text, tens of kilobytes long, made of a word or of multi-byte
/// characters.
pub fn long_text(material: &Material) -> BoxedStrategy<Vec<u8>> {
    (
        select(material.words.clone()),
        1usize..20_000,
        any::<bool>(),
    )
        .prop_map(|(word, length, quoted)| {
            let unit = if word.is_empty() {
                "é".to_owned()
            } else {
                word
            };
            let text = unit.repeat(length.min(40_000 / unit.len().max(1)).max(1));
            if quoted {
                serde_json::to_vec(&Value::String(text)).expect("a string prints")
            } else {
                text.into_bytes()
            }
        })
        .boxed()
}

/// A status across the classes: informational, success (most often), redirects without a
/// `Location`, client and server errors, and numbers no standard names.
pub fn status() -> BoxedStrategy<u16> {
    prop_oneof![
        1 => select(vec![100u16, 101, 103, 199]),
        8 => select(vec![200u16, 201, 202, 204, 206, 299]),
        1 => select(vec![300u16, 301, 302, 304, 307]),
        4 => select(vec![400u16, 401, 403, 404, 405, 409, 410, 413, 422, 429, 499]),
        3 => select(vec![500u16, 501, 502, 503, 504, 599, 999]),
    ]
    .boxed()
}

/// A `Content-Type` header, or none: the right one, wrong ones, and nonsense.
pub fn content_type() -> BoxedStrategy<Option<String>> {
    select(vec![
        None,
        Some("application/json"),
        Some("application/json; charset=utf-16"),
        Some("text/html; charset=utf-8"),
        Some("text/plain"),
        Some("application/xml"),
        Some("application/octet-stream"),
        Some("multipart/form-data; boundary=x"),
        Some("nonsense"),
    ])
    .prop_map(|content_type| content_type.map(str::to_owned))
    .boxed()
}

/// A body on the wire: with its length (most often), chunked, or until the connection closes.
pub fn framed(body: BoxedStrategy<Vec<u8>>) -> BoxedStrategy<Body> {
    (body, 0u8..6)
        .prop_map(|(body, framing)| match framing {
            0 => Body::Chunked(body),
            1 => Body::Unframed(body),
            _ => Body::Sized(body),
        })
        .boxed()
}

/// A hostile reply: any [`status`], any [`content_type`], any [`body`], any framing.
pub fn reply(material: &Material) -> BoxedStrategy<Reply> {
    (status(), content_type(), framed(body(material)))
        .prop_map(|(status, content_type, body)| {
            let reply = Reply::new(status, body);
            match content_type {
                Some(content_type) => reply.with_header("content-type", &content_type),
                None => reply,
            }
        })
        .boxed()
}

/// A reply that is not HTTP: arbitrary bytes, or a status line cut short.
pub fn broken_reply() -> BoxedStrategy<Reply> {
    let cut_head = (any::<Index>()).prop_map(|cut| {
        let head =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
        head[..cut.index(head.len())].to_vec()
    });
    prop_oneof![arbitrary_bytes(), cut_head]
        .prop_map(|bytes| Reply::new(0, Body::Raw(bytes)))
        .boxed()
}

#[cfg(test)]
mod tests {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    use super::*;

    #[test]
    fn mutations_keep_json_and_use_the_sample_keys() {
        let material = Material::new(&[r#"{"users":[{"email":"a@b"}]}"#], &["s3cret"]);
        assert!(material.keys.contains(&"email".to_owned()));
        let mut runner = TestRunner::deterministic();
        for _ in 0..64 {
            let bytes = mutated_sample(&material)
                .new_tree(&mut runner)
                .expect("a value")
                .current();
            assert!(serde_json::from_slice::<Value>(&bytes).is_ok());
        }
    }

    #[test]
    fn truncations_are_prefixes_of_a_sample() {
        let sample = r#"{"name":["Demo"]}"#;
        let material = Material::new(&[sample], &[]);
        let mut runner = TestRunner::deterministic();
        for _ in 0..64 {
            let cut = truncated_sample(&material)
                .new_tree(&mut runner)
                .expect("a value")
                .current();
            assert!(sample.as_bytes().starts_with(&cut));
        }
    }
}
