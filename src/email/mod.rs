//! Mail: the transport (SMTP, file outbox, memory), why a delivery failed
//! (a classified reason, never a server's words) and the report message.

pub mod mailer;
pub mod reason;
pub mod templates;

pub use mailer::{MailError, Mailer, MemoryBehaviour, MemoryOutbox, OutgoingEmail, SentEmail};
pub use reason::MailReason;
