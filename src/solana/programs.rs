//! Well-known program ids and the short names reports use for them.

pub const SYSTEM: &str = "11111111111111111111111111111111";
pub const COMPUTE_BUDGET: &str = "ComputeBudget111111111111111111111111111111";
pub const TOKEN: &str = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
pub const TOKEN_2022: &str = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb";
pub const ASSOCIATED_TOKEN: &str = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL";
pub const MEMO: &str = "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr";
pub const MEMO_V1: &str = "Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo";
pub const STAKE: &str = "Stake11111111111111111111111111111111111111";
pub const VOTE: &str = "Vote111111111111111111111111111111111111111";
pub const NAME_SERVICE: &str = "namesLPneVptA9Z5rqUDD9tMTWEJwofgaYwp8cawRkX";
pub const METAPLEX_METADATA: &str = "metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s";
/// Bonfida's SNS registrar, which registers `.sol` names through the name service.
pub const SNS_REGISTRAR: &str = "jCebN34bUfdeUYJT13J1yG16XWQpt5PDx6Mse9GUqhR";

const NAMES: &[(&str, &str)] = &[
    (SYSTEM, "system"),
    (COMPUTE_BUDGET, "compute-budget"),
    (TOKEN, "spl-token"),
    (TOKEN_2022, "spl-token-2022"),
    (ASSOCIATED_TOKEN, "spl-associated-token-account"),
    (MEMO, "spl-memo"),
    (MEMO_V1, "spl-memo"),
    (STAKE, "stake"),
    (VOTE, "vote"),
    (NAME_SERVICE, "name-service"),
    (METAPLEX_METADATA, "metaplex-token-metadata"),
    (SNS_REGISTRAR, "sns-registrar"),
];

/// A readable name for well-known programs; the id itself otherwise.
pub fn short_name(program_id: &str) -> &str {
    NAMES.iter().find(|(id, _)| *id == program_id).map_or(program_id, |(_, name)| name)
}
