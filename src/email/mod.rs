//! Mail: the transport (SMTP, file outbox, memory), why a delivery failed
//! (a classified reason, never a server's words) and the report message.
//!
//! Layer: may import `config`, `analysis`, `domain`, `brand` and `markup`;
//! never `service`, `jobs` or `server` (the shared state holds a `Mailer`).

pub mod changes;
pub mod mailer;
pub mod reason;
pub mod templates;

pub use mailer::{MailError, Mailer, MemoryBehaviour, MemoryOutbox, OutgoingEmail, SentEmail};
pub use reason::MailReason;
