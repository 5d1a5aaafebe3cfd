//! The server secret behind keyed hashes (rate limits count on
//! HMAC(secret, address), never the address). `KIMIKO_SECRET` in production;
//! for local use one is generated on first run and kept beside the database.

use std::path::Path;

use anyhow::Context as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::settings::{Secret, Settings};

const SECRET_FILE: &str = "kimiko.secret";

/// HMAC-SHA256 with the server secret.
#[derive(Clone)]
pub struct KeyedHasher {
    key: Secret,
}

impl KeyedHasher {
    pub fn new(key: Secret) -> Self {
        Self { key }
    }

    /// Hex HMAC of `value`, with `purpose` mixed in so an email hash can never
    /// equal an IP hash of the same text.
    pub fn hash(&self, purpose: &str, value: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.key.expose().as_bytes()).expect("HMAC takes any key length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// `KIMIKO_SECRET`, or the generated one beside the database (created if missing).
pub fn load_or_create(settings: &Settings) -> anyhow::Result<Secret> {
    if let Some(secret) = &settings.secret {
        return Ok(secret.clone());
    }
    let dir = settings.database_dir().unwrap_or_else(|| ".".into());
    let path = dir.join(SECRET_FILE);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        anyhow::ensure!(existing.len() >= 32, "{} is too short to be a secret", path.display());
        return Ok(Secret::new(existing));
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    let secret = hex::encode(rand::random::<[u8; 32]>());
    write_private(&path, &secret)?;
    tracing::info!(path = %path.display(), "generated a server secret (set KIMIKO_SECRET in production)");
    Ok(Secret::new(secret))
}

fn write_private(path: &Path, secret: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path).with_context(|| format!("Failed to create {}", path.display()))?;
    file.write_all(secret.as_bytes()).with_context(|| format!("Failed to write {}", path.display()))?;
    Ok(())
}
