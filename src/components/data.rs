//! How a page's data crosses from the server's render to the browser bundle: every page
//! reads its data through [`data`], a resource encoded with [`Json`].

use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// JSON, decoded from its bytes. Leptos' own resource codec decodes from a `&str`, and a
/// server function's reply is decoded from bytes: two decoders of every type the browser
/// reads, each a few kilobytes of WebAssembly (69 KB of the rep's first bundle). Decoding
/// a resource's data from its bytes too leaves one.
pub struct Json;

impl<T: Serialize> codee::Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> codee::Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// A page's data: loaded by `fetcher` whenever `source` changes, rendered on the server and
/// handed to the browser with the page ([`Resource::new`], encoded with [`Json`]).
#[track_caller]
pub fn data<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, Json>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}
