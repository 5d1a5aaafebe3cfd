//! Mail: the transport (SMTP, file outbox, memory) and the report message.

pub mod mailer;
pub mod templates;

pub use mailer::{MailError, Mailer, MemoryBehaviour, MemoryOutbox, OutgoingEmail, SentEmail};
