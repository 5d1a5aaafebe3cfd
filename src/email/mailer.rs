//! Sending mail: over SMTP when `KIMIKO_SMTP_URL` is set, as `.eml` files in
//! `KIMIKO_OUTBOX_DIR` otherwise, or into memory for tests.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;

use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::reason::MailReason;
use crate::config::settings::{Settings, redact_url};

/// A message ready to send.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub html: String,
    pub text: String,
    /// `<…@sender-domain>`, kept across retries of the same job.
    pub message_id: String,
    /// Sent as `Resend-Idempotency-Key`: Resend delivers one message per
    /// key within 24 hours, so a re-send after a crash between the
    /// server's acceptance and our record of it never reaches the inbox
    /// twice. Other servers ignore the header (the fixed Message-ID is
    /// what they may deduplicate on).
    pub idempotency_key: String,
}

/// Resend's SMTP header for deduplicating sends.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ResendIdempotencyKey(String);

impl Header for ResendIdempotencyKey {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Resend-Idempotency-Key")
    }

    fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(text.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// A message as the memory backend keeps it, for tests to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentEmail {
    pub to: String,
    pub subject: String,
    pub html: String,
    pub text: String,
    pub message_id: String,
    /// The full RFC 5322 message as it would go over the wire.
    pub raw: String,
}

#[derive(Clone)]
pub enum Mailer {
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox },
    File { dir: PathBuf, from: Mailbox },
    Memory { outbox: MemoryOutbox, from: Mailbox },
}

/// The memory backend's store: what was sent, and how the next sends behave
/// (so tests can make delivery fail, or even panic, on demand).
#[derive(Clone, Default)]
pub struct MemoryOutbox {
    inner: Arc<Mutex<MemoryState>>,
    /// Turns true when the hanging sends may return ([`MemoryBehaviour::AcceptThenHang`]).
    released: Arc<tokio::sync::watch::Sender<bool>>,
}

#[derive(Default)]
struct MemoryState {
    sent: Vec<SentEmail>,
    behaviour: MemoryBehaviour,
    /// Sends inside their hang right now.
    hanging: usize,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MemoryBehaviour {
    #[default]
    Accept,
    /// Like an SMTP 4xx.
    Transient,
    /// Like an SMTP 5xx.
    Permanent,
    /// A bug in the sending code.
    Panic,
    /// The server accepted the message, and the answer has not reached
    /// Kimiko yet: the mail is kept as sent, and `send` returns only once
    /// [`MemoryOutbox::release`] is called.
    AcceptThenHang,
}

impl MemoryOutbox {
    pub fn sent(&self) -> Vec<SentEmail> {
        self.inner.lock().expect("memory outbox lock").sent.clone()
    }

    pub fn set_behaviour(&self, behaviour: MemoryBehaviour) {
        self.inner.lock().expect("memory outbox lock").behaviour = behaviour;
    }

    /// Lets every hanging send return, and those after it not hang.
    pub fn release(&self) {
        self.released.send_replace(true);
    }

    /// How many sends are inside their hang: one that was cut off (its
    /// task aborted) no longer counts.
    pub fn hanging(&self) -> usize {
        self.inner.lock().expect("memory outbox lock").hanging
    }
}

/// The memory backend's send, up to the hang: a guard while it hangs.
fn memory_send(
    outbox: &MemoryOutbox,
    email: &OutgoingEmail,
    message: &Message,
) -> Result<Option<Hanging>, MailError> {
    let mut state = outbox.inner.lock().expect("memory outbox lock");
    let hang = state.behaviour == MemoryBehaviour::AcceptThenHang;
    match state.behaviour {
        MemoryBehaviour::Accept | MemoryBehaviour::AcceptThenHang => {}
        MemoryBehaviour::Transient => {
            return Err(MailError::Transient(MailReason::from_reply(451, "4.3.0 try again later")));
        }
        MemoryBehaviour::Permanent => {
            return Err(MailError::Permanent(MailReason::from_reply(550, "5.1.1 no such user")));
        }
        MemoryBehaviour::Panic => {
            drop(state);
            panic!("the memory mailer was told to panic");
        }
    }
    state.sent.push(SentEmail {
        to: email.to.clone(),
        subject: email.subject.clone(),
        html: email.html.clone(),
        text: email.text.clone(),
        message_id: email.message_id.clone(),
        raw: String::from_utf8_lossy(&message.formatted()).into_owned(),
    });
    if !hang {
        return Ok(None);
    }
    state.hanging += 1;
    Ok(Some(Hanging(outbox.clone())))
}

/// Counts a send as hanging for as long as it lives.
struct Hanging(MemoryOutbox);

impl Drop for Hanging {
    fn drop(&mut self) {
        self.0.inner.lock().expect("memory outbox lock").hanging -= 1;
    }
}

/// Why a message was not sent, and whether trying later can help. Only a
/// classified reason is carried: never a server's own words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// 4xx, connection refused, timeouts: try again later.
    #[error("mail not sent, will retry: {0}")]
    Transient(MailReason),
    /// 5xx, a malformed message: retrying won't help.
    #[error("mail rejected: {0}")]
    Permanent(MailReason),
}

impl MailError {
    pub fn reason(self) -> MailReason {
        match self {
            MailError::Transient(reason) | MailError::Permanent(reason) => reason,
        }
    }
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Mailer> {
        let from: Mailbox = settings.mail_from.parse()?;
        Ok(match &settings.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| {
                        anyhow::anyhow!("KIMIKO_SMTP_URL: {} is unusable: {e}", redact_url(url.expose()))
                    })?
                    .timeout(Some(std::time::Duration::from_secs(30)))
                    .build();
                Mailer::Smtp { transport, from }
            }
            None => Mailer::File { dir: settings.outbox_dir.clone(), from },
        })
    }

    /// A mailer that keeps messages in memory, for tests.
    pub fn memory(from: &str) -> (Mailer, MemoryOutbox) {
        let outbox = MemoryOutbox::default();
        let from = from.parse().expect("test sender is a mailbox");
        (Mailer::Memory { outbox: outbox.clone(), from }, outbox)
    }

    fn from(&self) -> &Mailbox {
        match self {
            Mailer::Smtp { from, .. } | Mailer::File { from, .. } | Mailer::Memory { from, .. } => from,
        }
    }

    /// The domain Message-IDs are made on.
    pub fn sender_domain(&self) -> String {
        self.from().email.domain().to_owned()
    }

    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp { .. } => "SMTP".to_owned(),
            Mailer::File { dir, .. } => format!("file outbox in {}", dir.display()),
            Mailer::Memory { .. } => "memory".to_owned(),
        }
    }

    /// Sends `email`. For the file outbox, returns the path written.
    /// Deletes the file outbox's messages written more than `retention`
    /// ago: each names its recipient (`To:`), and whoever reads the folder
    /// has had that long to pass it on. 0 for the other backends.
    pub async fn expire_files(&self, retention: Duration) -> anyhow::Result<u32> {
        let Mailer::File { dir, .. } = self else { return Ok(0) };
        expire_eml(dir, SystemTime::now() - retention).await
    }

    pub async fn send(&self, email: &OutgoingEmail) -> Result<Option<PathBuf>, MailError> {
        let message = self.build(email)?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport.send(message).await.map_err(classify_smtp)?;
                Ok(None)
            }
            Mailer::File { dir, .. } => write_eml(dir, email, &message.formatted()).await.map(Some),
            Mailer::Memory { outbox, .. } => {
                let hanging = memory_send(outbox, email, &message)?;
                if let Some(_hanging) = hanging {
                    let mut released = outbox.released.subscribe();
                    let _ = released.wait_for(|released| *released).await;
                }
                Ok(None)
            }
        }
    }

    fn build(&self, email: &OutgoingEmail) -> Result<Message, MailError> {
        let to: Mailbox = email.to.parse().map_err(|_| MailError::Permanent(MailReason::InvalidRecipient))?;
        Message::builder()
            .from(self.from().clone())
            .to(to)
            .subject(&email.subject)
            .message_id(Some(email.message_id.clone()))
            .header(ResendIdempotencyKey(email.idempotency_key.clone()))
            .multipart(MultiPart::alternative_plain_html(email.text.clone(), email.html.clone()))
            .map_err(|_| MailError::Permanent(MailReason::InvalidMessage))
    }
}

/// SMTP 4xx and network trouble are worth retrying; 5xx is final. Only the
/// reply's codes are kept (see [`MailReason`]).
fn classify_smtp(error: lettre::transport::smtp::Error) -> MailError {
    let reason = MailReason::from_smtp(&error);
    if error.is_permanent() {
        MailError::Permanent(reason)
    } else {
        // Transient replies (4xx), connection refused, TLS or timeout trouble.
        MailError::Transient(reason)
    }
}

/// Deletes the `.eml` files in `dir` (and any temporary one left by a crash)
/// last written before `written_before`; returns how many.
async fn expire_eml(dir: &Path, written_before: SystemTime) -> anyhow::Result<u32> {
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(entries) => entries,
        // Nothing was ever written.
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error).context("Failed to list the file outbox"),
    };
    let mut deleted = 0;
    while let Some(entry) = entries.next_entry().await.context("Failed to list the file outbox")? {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.ends_with(".eml") || name.ends_with(".eml.tmp")) {
            continue;
        }
        let written =
            entry.metadata().await.and_then(|m| m.modified()).context("Failed to date an outbox file")?;
        if written < written_before {
            tokio::fs::remove_file(entry.path()).await.context("Failed to delete an outbox file")?;
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// Writes `<dir>/<message-id>.eml` atomically (temp file + rename), so a
/// retry rewrites the same file instead of leaving a second message.
async fn write_eml(dir: &Path, email: &OutgoingEmail, bytes: &[u8]) -> Result<PathBuf, MailError> {
    let io = |error: std::io::Error| {
        tracing::warn!(dir = %dir.display(), %error, "could not write to the file outbox");
        MailError::Transient(MailReason::OutboxUnwritable)
    };
    tokio::fs::create_dir_all(dir).await.map_err(io)?;
    let name: String = email
        .message_id
        .trim_matches(['<', '>'])
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
        .collect();
    let path = dir.join(format!("{name}.eml"));
    let temp = dir.join(format!(".{name}.eml.tmp"));
    tokio::fs::write(&temp, bytes).await.map_err(io)?;
    tokio::fs::rename(&temp, &path).await.map_err(io)?;
    Ok(path)
}

#[cfg(test)]
mod file_outbox_tests {
    use super::*;

    #[tokio::test]
    async fn outbox_files_past_their_retention_are_deleted_and_newer_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let day_old = SystemTime::now() - Duration::from_secs(25 * 3600);
        for (name, written) in [("old.eml", day_old), (".crashed.eml.tmp", day_old), ("notes.txt", day_old)] {
            let file = std::fs::File::create(dir.path().join(name)).unwrap();
            file.set_modified(written).unwrap();
        }
        std::fs::write(dir.path().join("new.eml"), "To: someone@example.com").unwrap();
        let mailer =
            Mailer::File { dir: dir.path().to_owned(), from: "Kimiko <k@kimiko.test>".parse().unwrap() };

        assert_eq!(mailer.expire_files(Duration::from_secs(24 * 3600)).await.unwrap(), 2);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["new.eml", "notes.txt"], "only the outbox's own files, and only old ones");
    }

    #[tokio::test]
    async fn an_outbox_never_written_has_nothing_to_expire() {
        let dir = tempfile::tempdir().unwrap();
        let mailer =
            Mailer::File { dir: dir.path().join("never"), from: "Kimiko <k@kimiko.test>".parse().unwrap() };
        assert_eq!(mailer.expire_files(Duration::from_secs(3600)).await.unwrap(), 0);
    }
}
