//! The signature over a bundle's manifest, in a DSSE envelope (the Dead Simple
//! Signing Envelope of secure-systems-lab/dsse, which in-toto and Sigstore
//! use), so that tools other than sdconform can check it.
//!
//! The signature is Ed25519 over the pre-authentication encoding (protocol.md,
//! v1.0.0), never over the bare payload:
//!
//! ```text
//! PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
//! ```
//!
//! with `LEN` the decimal byte length, no leading zeros. The envelope
//! (envelope.md) holds the payload and the signature in base64:
//!
//! ```json
//! { "payload": "<base64 of manifest.json>",
//!   "payloadType": "application/vnd.sdconform.manifest+json",
//!   "signatures": [ { "keyid": "<hex SHA-256 of the public key's DER SPKI>", "sig": "<base64>" } ] }
//! ```
//!
//! Anyone can check it with OpenSSL: decode `sig`, write the PAE bytes, and
//! `openssl pkeyutl -verify -pubin -inkey NAME.pub -rawin -in pae.bin -sigfile sig.bin`.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::key::keyid;

/// The payload type of a bundle's manifest.
pub const PAYLOAD_TYPE: &str = "application/vnd.sdconform.manifest+json";

/// A DSSE JSON envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Base64 of the signed bytes.
    pub payload: String,
    /// What the payload is.
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// One signature per key.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// A hint of the key (unauthenticated: never used to decide).
    #[serde(default)]
    pub keyid: String,
    /// Base64 of the signature.
    pub sig: String,
}

/// Why an envelope does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The envelope is not a DSSE JSON envelope.
    #[error("the envelope is not a DSSE JSON envelope: {0}")]
    Malformed(String),
    /// The payload is not base64.
    #[error("the envelope's payload is not base64")]
    Payload,
    /// Another payload type than a manifest's.
    #[error("the envelope's payloadType is {0:?}, not {PAYLOAD_TYPE:?}")]
    PayloadType(String),
    /// No signature verifies under the key.
    #[error(
        "no signature verifies under the public key {expected} (the envelope's key ids: {found})"
    )]
    BadSignature {
        /// The key id of the key given.
        expected: String,
        /// The key ids the envelope names.
        found: String,
    },
}

/// The pre-authentication encoding of `body` as `payload_type`.
pub fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// `payload` signed by `key`, as a manifest.
pub fn sign(payload: &[u8], key: &SigningKey) -> Envelope {
    let signature = key.sign(&pae(PAYLOAD_TYPE, payload));
    Envelope {
        payload: STANDARD.encode(payload),
        payload_type: PAYLOAD_TYPE.to_owned(),
        signatures: vec![EnvelopeSignature {
            keyid: keyid(&key.verifying_key()),
            sig: STANDARD.encode(signature.to_bytes()),
        }],
    }
}

/// Base64 as DSSE allows it: standard or URL-safe.
fn decode(text: &str) -> Option<Vec<u8>> {
    STANDARD
        .decode(text)
        .or_else(|_| URL_SAFE.decode(text))
        .ok()
}

/// The payload, without checking any signature.
pub fn payload(envelope: &Envelope) -> Result<Vec<u8>, EnvelopeError> {
    decode(&envelope.payload).ok_or(EnvelopeError::Payload)
}

/// The payload, if a signature of the envelope verifies under `key` (the
/// protocol's steps: decode, verify over the PAE, then the payload type).
pub fn verify(envelope: &Envelope, key: &VerifyingKey) -> Result<Vec<u8>, EnvelopeError> {
    let body = payload(envelope)?;
    let message = pae(&envelope.payload_type, &body);
    let verified = envelope.signatures.iter().any(|s| {
        decode(&s.sig)
            .and_then(|bytes| Signature::from_slice(&bytes).ok())
            .is_some_and(|signature| key.verify_strict(&message, &signature).is_ok())
    });
    if !verified {
        let found: Vec<&str> = envelope
            .signatures
            .iter()
            .map(|s| {
                if s.keyid.is_empty() {
                    "(none)"
                } else {
                    s.keyid.as_str()
                }
            })
            .collect();
        return Err(EnvelopeError::BadSignature {
            expected: keyid(key),
            found: if found.is_empty() {
                "no signature".to_owned()
            } else {
                found.join(", ")
            },
        });
    }
    if envelope.payload_type != PAYLOAD_TYPE {
        return Err(EnvelopeError::PayloadType(envelope.payload_type.clone()));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector of DSSE's protocol.md.
    #[test]
    fn pae_is_the_specs() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
    }

    #[test]
    fn a_signed_payload_verifies_only_under_its_key_and_type() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let other = SigningKey::from_bytes(&[8; 32]);
        let envelope = sign(b"{\"a\": 1}", &key);
        assert_eq!(
            verify(&envelope, &key.verifying_key()),
            Ok(b"{\"a\": 1}".to_vec())
        );
        assert!(matches!(
            verify(&envelope, &other.verifying_key()),
            Err(EnvelopeError::BadSignature { .. })
        ));
        // The payload type is signed: changing it breaks the signature.
        let mut retyped = envelope.clone();
        retyped.payload_type = "application/vnd.in-toto+json".to_owned();
        assert!(matches!(
            verify(&retyped, &key.verifying_key()),
            Err(EnvelopeError::BadSignature { .. })
        ));
        // URL-safe base64 is accepted, as the protocol requires.
        let mut url_safe = envelope.clone();
        url_safe.signatures[0].sig = url_safe.signatures[0]
            .sig
            .replace('+', "-")
            .replace('/', "_");
        assert!(verify(&url_safe, &key.verifying_key()).is_ok());
        let mut changed = envelope;
        changed.payload = STANDARD.encode(b"{\"a\": 2}");
        assert!(verify(&changed, &key.verifying_key()).is_err());
    }
}
