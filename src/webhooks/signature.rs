//! Standard Webhooks signing: a secret is `whsec_` + base64 of the key, and each attempt is
//! signed `v1,` + base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")).

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

/// The prefix of every secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// Keys from 24 to 68 bytes: the specification asks for 24 to 64, and a base64 text of up to
/// 92 characters (what the document allows) may carry up to 68.
const KEY_BYTES: std::ops::RangeInclusive<usize> = 24..=68;

/// Decodes with or without padding, and trailing bits ignored, as receivers' libraries do.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A new secret with a 32-byte key.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The key of a secret, or `None` when it is not `whsec_` + base64 of 24 to 68 bytes.
pub fn key_of(secret: &str) -> Option<Vec<u8>> {
    let key = LENIENT.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    KEY_BYTES.contains(&key.len()).then_some(key)
}

/// The `webhook-signature` header of one attempt.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification's reference libraries.
    #[test]
    fn signs_as_the_specification_s_example() {
        let key = key_of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("a key");
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_secret_is_prefixed_base64_of_a_key_long_enough() {
        let made = new_secret();
        assert_eq!(key_of(&made).map(|k| k.len()), Some(32));
        assert!(
            key_of("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_none(),
            "no prefix"
        );
        assert!(key_of("whsec_c2hvcnQ=").is_none(), "5 bytes");
        assert!(key_of("whsec_not base64!").is_none());
    }
}
