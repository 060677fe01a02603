//! Badges: a signed token per registration, shown as a QR code.
//!
//! The token carries no personal data: a version byte, the key id, the first 8 bytes of the
//! stop's id, the registration's 16-byte id, and an Ed25519 signature over those 29 bytes,
//! written in upper-case base32 so that the QR code uses its compact alphanumeric mode
//! (149 characters: version 6, 41×41 modules, at error correction M). Anyone holding the tour's public key can
//! verify it offline; no one without the private key can make one.
//!
//! The private key is created on first start in `ROADSHOW_DATA_DIR` (mode 0600) and never leaves
//! it; its public half is recorded in the database, so that every roadshow process on the same
//! database can verify badges signed by any of them.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use data_encoding::BASE32_NOPAD;
use diesel::prelude::*;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use hmac::{Hmac, Mac};
use qrcode::{EcLevel, QrCode};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::DbConnection;
use crate::db::schema::badge_keys;
use crate::ids::{RegistrationId, StopId};

const VERSION: u8 = 1;
const SIGNED_LEN: usize = 1 + 4 + 8 + 16;
const TOKEN_BYTES: usize = SIGNED_LEN + 64;
const KEY_FILE: &str = "badge-signing.key";

/// What a valid badge names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeClaims {
    /// The first 8 bytes of the stop's UUID, as 16 hex digits.
    pub stop_prefix: String,
    /// The registration's id.
    pub registration_id: String,
}

/// Signs and verifies badges, and derives the secret of private links.
#[derive(Clone)]
pub struct BadgeKeys {
    kid: [u8; 4],
    signing: SigningKey,
    verifying: HashMap<[u8; 4], VerifyingKey>,
    link_secret: [u8; 32],
    /// Tokens signed lately, by signed bytes: a search at the door answers with thirty badge
    /// tokens, and a signature costs tens of microseconds (Ed25519 signatures are
    /// deterministic, so a kept token is the one signing would give again).
    signed: Arc<Mutex<HashMap<[u8; SIGNED_LEN], String>>>,
}

/// Tokens kept at most (about 200 bytes each); all are dropped when it is reached.
const SIGNED_KEPT: usize = 20_000;

impl std::fmt::Debug for BadgeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BadgeKeys")
            .field("kid", &self.kid_hex())
            .finish_non_exhaustive()
    }
}

fn kid_of(key: &VerifyingKey) -> [u8; 4] {
    let digest = Sha256::digest(key.as_bytes());
    [digest[0], digest[1], digest[2], digest[3]]
}

fn stop_prefix_bytes(stop_id: &str) -> Option<[u8; 8]> {
    let uuid = Uuid::parse_str(stop_id).ok()?;
    let bytes = uuid.as_bytes();
    let mut prefix = [0u8; 8];
    prefix.copy_from_slice(&bytes[..8]);
    Some(prefix)
}

/// The 16-hex-digit prefix a badge names for `stop_id`.
pub fn stop_prefix(stop_id: &str) -> String {
    stop_prefix_bytes(stop_id).map(hex).unwrap_or_default()
}

fn hex(bytes: impl AsRef<[u8]>) -> String {
    bytes.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

impl BadgeKeys {
    /// Loads the signing key from `data_dir` (creating it on first start), records its public
    /// half in the database and loads every known public key.
    pub fn load_or_create(data_dir: &Path, conn: &mut DbConnection) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(KEY_FILE);
        let seed: [u8; 32] = match std::fs::read(&path) {
            Ok(bytes) => key_of(&path, bytes)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                rand::Rng::fill_bytes(&mut rand::rng(), &mut seed);
                match write_key_once(&path, &seed) {
                    Ok(()) => {
                        tracing::info!(path = %path.display(), "badge signing key created");
                        seed
                    }
                    // Another process sharing the folder (a second replica starting at the same
                    // moment) made it first: use that one, so that both sign alike.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_key(&path)?,
                    Err(e) => return Err(e.into()),
                }
            }
            Err(e) => return Err(anyhow::anyhow!("reading {}: {e}", path.display())),
        };
        let signing = SigningKey::from_bytes(&seed);
        let kid = kid_of(&signing.verifying_key());
        let public = data_encoding::BASE64.encode(signing.verifying_key().as_bytes());
        diesel::insert_into(badge_keys::table)
            .values((
                badge_keys::kid.eq(hex(kid)),
                badge_keys::public_key.eq(&public),
                badge_keys::created_at.eq(crate::time::now()),
            ))
            .execute(conn)
            .or_else(|e| {
                if crate::db::is_unique_violation(&e) {
                    Ok(0)
                } else {
                    Err(e)
                }
            })?;
        let mut keys = Self::from_seed(seed);
        keys.reload_public_keys(conn)?;
        Ok(keys)
    }

    /// Keys made from a seed (tests, and the loader above).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let signing = SigningKey::from_bytes(&seed);
        let kid = kid_of(&signing.verifying_key());
        let mut verifying = HashMap::new();
        verifying.insert(kid, signing.verifying_key());
        let link_secret: [u8; 32] = Sha256::new()
            .chain_update(b"roadshow private links v1")
            .chain_update(seed)
            .finalize()
            .into();
        Self {
            kid,
            signing,
            verifying,
            link_secret,
            signed: Arc::default(),
        }
    }

    /// Reads every public key recorded by any roadshow process on this database.
    pub fn reload_public_keys(&mut self, conn: &mut DbConnection) -> QueryResult<()> {
        let rows: Vec<(String, String)> = badge_keys::table
            .select((badge_keys::kid, badge_keys::public_key))
            .load(conn)?;
        for (_, public) in rows {
            let Ok(bytes) = data_encoding::BASE64.decode(public.as_bytes()) else {
                continue;
            };
            let Ok(bytes) = <[u8; 32]>::try_from(bytes.as_slice()) else {
                continue;
            };
            if let Ok(key) = VerifyingKey::from_bytes(&bytes) {
                self.verifying.insert(kid_of(&key), key);
            }
        }
        Ok(())
    }

    /// The id of the signing key, as 8 hex digits.
    pub fn kid_hex(&self) -> String {
        hex(self.kid)
    }

    /// The public keys, `kid → base64`, for offline verification by scanners.
    pub fn public_keys(&self) -> Vec<(String, String)> {
        self.verifying
            .iter()
            .map(|(kid, key)| (hex(kid), data_encoding::BASE64.encode(key.as_bytes())))
            .collect()
    }

    /// The badge token of a registration.
    pub fn sign(
        &self,
        stop_id: &StopId,
        registration_id: &RegistrationId,
    ) -> anyhow::Result<String> {
        let stop =
            stop_prefix_bytes(stop_id).ok_or_else(|| anyhow::anyhow!("stop id is not a UUID"))?;
        let registration = Uuid::parse_str(registration_id)?;
        let mut signed = [0u8; SIGNED_LEN];
        signed[0] = VERSION;
        signed[1..5].copy_from_slice(&self.kid);
        signed[5..13].copy_from_slice(&stop);
        signed[13..].copy_from_slice(registration.as_bytes());
        let mut kept = self.signed.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(token) = kept.get(&signed) {
            return Ok(token.clone());
        }
        drop(kept);
        let mut bytes = Vec::with_capacity(TOKEN_BYTES);
        bytes.extend_from_slice(&signed);
        bytes.extend_from_slice(&self.signing.sign(&signed).to_bytes());
        let token = BASE32_NOPAD.encode(&bytes);
        kept = self.signed.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= SIGNED_KEPT {
            kept.clear();
        }
        kept.insert(signed, token.clone());
        Ok(token)
    }

    /// What a token names, if it is well formed and signed by a known key. Any input is fine:
    /// empty, huge or binary strings are simply `None`.
    pub fn verify(&self, token: &str) -> Option<BadgeClaims> {
        let token = token.trim();
        // 93 bytes are 149 base32 characters; anything else is not ours.
        if token.len() != 149 {
            return None;
        }
        let bytes = BASE32_NOPAD.decode(token.as_bytes()).ok()?;
        if bytes.len() != TOKEN_BYTES || bytes[0] != VERSION {
            return None;
        }
        let kid: [u8; 4] = bytes[1..5].try_into().ok()?;
        let (signed, signature) = bytes.split_at(SIGNED_LEN);
        if kid == self.kid {
            // Ed25519 signatures are deterministic: the signature this key gives these bytes is
            // the only one it ever gave them, and making it again costs half of checking one
            // (15 against 32 µs here). Compared in constant time, so that the time taken tells
            // nothing of how much of a forged signature is right.
            let expected = self.signing.sign(signed).to_bytes();
            if !crate::auth::secret::constant_time_eq(expected, signature) {
                return None;
            }
        } else {
            // Signed by another process's key: only its public half is known here.
            let key = self.verifying.get(&kid)?;
            let signature = Signature::from_slice(signature).ok()?;
            key.verify(signed, &signature).ok()?;
        }
        let registration = Uuid::from_slice(&bytes[13..29]).ok()?;
        Some(BadgeClaims {
            stop_prefix: hex(&bytes[5..13]),
            registration_id: registration.to_string(),
        })
    }

    /// A private link token for `purpose` (`manage`, `feedback`…) and an id: the id and a
    /// truncated HMAC, base64url. It can be recomputed for any e-mail and cannot be forged.
    pub fn link_token(&self, purpose: &str, id: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.link_secret)
            .expect("HMAC takes any key length");
        mac.update(purpose.as_bytes());
        mac.update(b":");
        mac.update(id.as_bytes());
        let tag = mac.finalize().into_bytes();
        let uuid = Uuid::parse_str(id)
            .map(|u| *u.as_bytes())
            .unwrap_or_default();
        let mut bytes = uuid.to_vec();
        bytes.extend_from_slice(&tag[..16]);
        data_encoding::BASE64URL_NOPAD.encode(&bytes)
    }

    /// An HMAC of `data` for `purpose` (CSRF tokens and cookies), base64url: same key as the
    /// private links, kept apart from them by the purpose.
    pub fn tag(&self, purpose: &str, data: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.link_secret)
            .expect("HMAC takes any key length");
        mac.update(b"tag:");
        mac.update(purpose.as_bytes());
        mac.update(b":");
        mac.update(data.as_bytes());
        data_encoding::BASE64URL_NOPAD.encode(&mac.finalize().into_bytes())
    }

    /// The id a private link token was made for, if the token is genuine.
    pub fn open_link_token(&self, purpose: &str, token: &str) -> Option<String> {
        if token.len() > 64 {
            return None;
        }
        let bytes = data_encoding::BASE64URL_NOPAD
            .decode(token.as_bytes())
            .ok()?;
        if bytes.len() != 32 {
            return None;
        }
        let id = Uuid::from_slice(&bytes[..16]).ok()?.to_string();
        let expected = self.link_token(purpose, &id);
        crate::auth::secret::constant_time_eq(&expected, token).then_some(id)
    }
}

/// Writes the new key where no reader can see it half-written: into a private temporary file
/// beside it, synced, then linked to `path` only if no key is there yet (`AlreadyExists` if
/// another process sharing the folder made one first). A process reading `path` thus finds
/// either no key or all 32 bytes of one.
fn write_key_once(path: &Path, seed: &[u8; 32]) -> std::io::Result<()> {
    use std::io::Write;
    let folder = path.parent().unwrap_or_else(|| Path::new("."));
    // tempfile creates the file readable by its owner only (0600 on Unix)
    let mut file = tempfile::NamedTempFile::new_in(folder)?;
    file.write_all(seed)?;
    file.as_file().sync_all()?;
    file.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

fn read_key(path: &Path) -> anyhow::Result<[u8; 32]> {
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    key_of(path, bytes)
}

fn key_of(path: &Path, bytes: Vec<u8>) -> anyhow::Result<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("{} is not a 32-byte key", path.display()))
}

/// The QR code of a token: error correction M.
fn qr(token: &str) -> anyhow::Result<QrCode> {
    Ok(QrCode::with_error_correction_level(
        token.as_bytes(),
        EcLevel::M,
    )?)
}

/// The QR code as SVG (scales to any size, crisp in print).
pub fn qr_svg(token: &str) -> anyhow::Result<String> {
    Ok(qr(token)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

/// The QR code as PNG (for e-mails and phones that prefer pixels).
pub fn qr_png(token: &str) -> anyhow::Result<Vec<u8>> {
    let image = qr(token)?
        .render::<image::Luma<u8>>()
        .min_dimensions(300, 300)
        .build();
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    const STOP: &str = "3f2c1d5e-8a9b-4c7d-9e0f-112233445566";
    const REGISTRATION: &str = "a1b2c3d4-e5f6-4789-8abc-def012345678";

    #[test]
    fn processes_starting_together_on_one_empty_folder_agree_on_one_key() {
        use diesel::Connection;
        // Several rounds, each on a new folder, so that a reader meeting a key file being
        // written (which once failed a start) has many chances to show.
        const LOADERS: usize = 4;
        const ROUNDS: usize = 25;
        let dirs: Vec<_> = (0..ROUNDS)
            .map(|_| tempfile::tempdir().expect("dir"))
            .collect();
        let paths: Vec<_> = dirs.iter().map(|d| d.path().to_owned()).collect();
        let start = std::sync::Arc::new(std::sync::Barrier::new(LOADERS));
        let loaders: Vec<_> = (0..LOADERS)
            .map(|_| {
                let (paths, start) = (paths.clone(), start.clone());
                std::thread::spawn(move || {
                    let mut conn = DbConnection::Sqlite(
                        diesel::SqliteConnection::establish(":memory:").expect("sqlite"),
                    );
                    crate::db::run_migrations(&mut conn).expect("migrated");
                    paths
                        .iter()
                        .map(|path| {
                            start.wait();
                            // an error is kept, not raised, so that the other loaders still
                            // meet this one at the next round's barrier
                            BadgeKeys::load_or_create(path, &mut conn).map_err(|e| e.to_string())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let keys: Vec<Vec<BadgeKeys>> = loaders
            .into_iter()
            .map(|t| t.join().expect("thread"))
            .map(|rounds| rounds.into_iter().collect::<Result<_, _>>().expect("keys"))
            .collect();
        for round in 0..ROUNDS {
            let first = &keys[0][round];
            for loader in &keys[1..] {
                assert_eq!(loader[round].kid_hex(), first.kid_hex(), "round {round}");
                assert_eq!(
                    loader[round].link_token("manage", REGISTRATION),
                    first.link_token("manage", REGISTRATION)
                );
            }
            let file = std::fs::read(paths[round].join(KEY_FILE)).expect("key file");
            assert_eq!(file.len(), 32);
            // only the key is left in the folder: no temporary file behind it
            assert_eq!(std::fs::read_dir(&paths[round]).expect("dir").count(), 1);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(paths[0].join(KEY_FILE))
                .expect("key file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "the key is readable by its owner only");
        }
    }

    #[test]
    fn a_badge_verifies_and_names_its_stop_and_registration() {
        let keys = BadgeKeys::from_seed([7; 32]);
        let token = keys
            .sign(&STOP.into(), &REGISTRATION.into())
            .expect("signed");
        assert_eq!(token.len(), 149);
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        );
        let claims = keys.verify(&token).expect("valid");
        assert_eq!(claims.registration_id, REGISTRATION);
        assert_eq!(claims.stop_prefix, stop_prefix(STOP));
    }

    #[test]
    fn changed_forged_or_foreign_badges_fail() {
        let keys = BadgeKeys::from_seed([7; 32]);
        let token = keys
            .sign(&STOP.into(), &REGISTRATION.into())
            .expect("signed");
        // Every single-character change fails.
        for i in 0..token.len() {
            let mut chars: Vec<char> = token.chars().collect();
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            let changed: String = chars.into_iter().collect();
            assert!(keys.verify(&changed).is_none(), "position {i}");
        }
        let other = BadgeKeys::from_seed([8; 32])
            .sign(&STOP.into(), &REGISTRATION.into())
            .expect("signed");
        assert!(keys.verify(&other).is_none(), "another tour's key");
        for hostile in ["", "x", &"A".repeat(10_000), "\u{0}\u{1}", &token[..148]] {
            assert!(keys.verify(hostile).is_none());
        }
    }

    #[test]
    fn a_badge_of_another_process_verifies_by_its_public_key_and_a_forged_one_does_not() {
        let ours = BadgeKeys::from_seed([7; 32]);
        let theirs = BadgeKeys::from_seed([8; 32]);
        let mut keys = ours.clone();
        let their_public = theirs.signing.verifying_key();
        keys.verifying.insert(kid_of(&their_public), their_public);
        let token = theirs
            .sign(&STOP.into(), &REGISTRATION.into())
            .expect("signed");
        let claims = keys.verify(&token).expect("their key is known");
        assert_eq!(claims.registration_id, REGISTRATION);
        // Our key id over a signature of theirs: signed bytes that name our key are checked
        // against the signature our key makes, not against any key that would accept them.
        let mut forged = BASE32_NOPAD.decode(token.as_bytes()).expect("base32");
        forged[1..5].copy_from_slice(&ours.kid);
        let resigned = theirs.signing.sign(&forged[..SIGNED_LEN]).to_bytes();
        forged[SIGNED_LEN..].copy_from_slice(&resigned);
        assert!(keys.verify(&BASE32_NOPAD.encode(&forged)).is_none());
    }

    #[test]
    fn the_qr_code_fits_version_6_at_level_m() {
        let keys = BadgeKeys::from_seed([7; 32]);
        let token = keys
            .sign(&STOP.into(), &REGISTRATION.into())
            .expect("signed");
        let code = qr(&token).expect("qr");
        assert_eq!(code.version(), qrcode::Version::Normal(6));
        assert!(qr_svg(&token).expect("svg").starts_with("<?xml"));
        assert!(qr_png(&token).expect("png").starts_with(b"\x89PNG"));
    }

    #[test]
    fn link_tokens_open_only_for_their_purpose() {
        let keys = BadgeKeys::from_seed([7; 32]);
        let token = keys.link_token("manage", REGISTRATION);
        assert_eq!(
            keys.open_link_token("manage", &token).as_deref(),
            Some(REGISTRATION)
        );
        assert!(keys.open_link_token("feedback", &token).is_none());
        assert!(
            BadgeKeys::from_seed([8; 32])
                .open_link_token("manage", &token)
                .is_none()
        );
        assert!(keys.open_link_token("manage", "garbage").is_none());
    }
}
