//! Versioned binary state for pickling, written once for every native class.
//!
//! Layout (postcard, a stable and documented wire format): a header naming the kind of object
//! and the format version, then the object's payload. Loading checks all three and refuses
//! trailing bytes, so a truncated, corrupt or foreign state is an error, never a wrong object.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// Bump when a payload changes shape; keep the decoder for older versions where possible.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Header {
    kind: String,
    version: u32,
}

/// Encodes `payload` as the state of an object of `kind`.
pub fn encode<T: Serialize>(kind: &str, payload: &T) -> Result<Vec<u8>, String> {
    let header = Header {
        kind: kind.to_string(),
        version: FORMAT_VERSION,
    };
    postcard::to_stdvec(&(header, payload)).map_err(|e| format!("cannot encode {kind} state: {e}"))
}

/// Decodes a state written by [`encode`] for the same `kind`.
pub fn decode<T: DeserializeOwned>(kind: &str, bytes: &[u8]) -> Result<T, String> {
    let (header, rest): (Header, &[u8]) =
        postcard::take_from_bytes(bytes).map_err(|e| format!("not a {kind} state ({e})"))?;
    if header.kind != kind {
        // A corrupt header can name no kind, or one made of odd characters: quote it.
        return Err(format!(
            "this is a state of kind {:?}, not a {kind} state",
            header.kind
        ));
    }
    if header.version != FORMAT_VERSION {
        return Err(format!(
            "{kind} state has format version {}, this build reads version {FORMAT_VERSION}",
            header.version
        ));
    }
    let (payload, rest): (T, &[u8]) =
        postcard::take_from_bytes(rest).map_err(|e| format!("corrupt {kind} state ({e})"))?;
    if !rest.is_empty() {
        return Err(format!(
            "corrupt {kind} state ({} trailing bytes)",
            rest.len()
        ));
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let bytes = encode("Thing", &(3u64, 2.5f64)).unwrap();
        assert_eq!(decode::<(u64, f64)>("Thing", &bytes).unwrap(), (3, 2.5));
        assert!(decode::<(u64, f64)>("Other", &bytes)
            .unwrap_err()
            .contains("state of kind \"Thing\", not a Other state"));
        assert!(decode::<(u64, f64)>("Thing", &bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode::<(u64, f64)>("Thing", &longer)
            .unwrap_err()
            .contains("trailing"));
        assert!(decode::<(u64, f64)>("Thing", b"").is_err());
        let future = postcard::to_stdvec(&(
            Header {
                kind: "Thing".into(),
                version: 99,
            },
            1u8,
        ))
        .unwrap();
        assert!(decode::<u8>("Thing", &future)
            .unwrap_err()
            .contains("version 99"));
    }
}
