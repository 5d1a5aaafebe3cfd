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

/// Metaplex Candy Machine v1, v2 and v3 (core), and the Candy Guard that
/// fronts v3: they mint an NFT for whoever pays, and with v1/v2 the buyer is
/// the new mint's authority until the machine hands it to the edition.
pub const CANDY_MACHINE_V1: &str = "cndyAnrLdpjq1Ssp1z8xxDsB8dxe7u4HL5Nxi2K5WXZ";
pub const CANDY_MACHINE_V2: &str = "cndy3Z4yapfJBmL3ShUp5exZKqR3z33thTzeNMm2gRZ";
pub const CANDY_MACHINE_V3: &str = "CndyV3LdqHUfDLmE5naZjVN8rBZz4tqhdefbAnjHG3JR";
pub const CANDY_GUARD: &str = "Guard1JwRhJkVH6XZhzoYxeBVQe872VH6QggF4BWmS9g";

/// Programs that mint for a buyer: the mints they create belong to the
/// collection's creator, not to the wallet that paid.
pub const MINT_FOR_BUYER: &[&str] = &[CANDY_MACHINE_V1, CANDY_MACHINE_V2, CANDY_MACHINE_V3, CANDY_GUARD];

/// Swap programs: Jupiter's aggregator (v6), Raydium's AMM v4, CLMM and
/// CPMM, Orca's Whirlpools, Meteora's DLMM and pump.fun's bonding curve.
/// A top-level transfer to someone else inside a transaction that swaps
/// through one of them is the front-end's or bot's fee, not a payment.
pub const JUPITER: &str = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4";
pub const RAYDIUM_AMM: &str = "675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8";
pub const RAYDIUM_CLMM: &str = "CAMMCzo5YL8w4VFF8KVHrK22GGUsp5VTaW7grrKgrWqK";
pub const RAYDIUM_CPMM: &str = "CPMMoo8L3F4NbTegBCKVNunggL7H1ZpdTHKxQB5qKP1C";
pub const ORCA_WHIRLPOOL: &str = "whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc";
pub const METEORA_DLMM: &str = "LBUZKhRxPF3XUpBCjp4YzTKgLccjZhTSDM9YTnSGxKnv";
pub const PUMP_FUN: &str = "6EF8rrecthR5Dkzon8Nwu78hRvfCKubJ14M5uBEwF6P";

pub const SWAPS: &[&str] =
    &[JUPITER, RAYDIUM_AMM, RAYDIUM_CLMM, RAYDIUM_CPMM, ORCA_WHIRLPOOL, METEORA_DLMM, PUMP_FUN, JUPITER_Z];

/// Jupiter's RFQ order engine ("JupiterZ"): a market maker fills the
/// user's order, co-signs, and pays the network and priority fees itself
/// ("Always gasless for network/prio fees (paid by MM)", dev.jup.ag/docs/
/// ultra/gasless; program id from jup-ag/rfq-webhook-toolkit, docs/faq).
pub const JUPITER_Z: &str = "61DFfeTKM7trxYcPQCM78bJ794ddZprZpAwAnLiwTpYH";

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
    (CANDY_MACHINE_V1, "candy-machine-v1"),
    (CANDY_MACHINE_V2, "candy-machine-v2"),
    (CANDY_MACHINE_V3, "candy-machine-v3"),
    (CANDY_GUARD, "candy-guard"),
];

/// A readable name for well-known programs; the id itself otherwise.
pub fn short_name(program_id: &str) -> &str {
    NAMES.iter().find(|(id, _)| *id == program_id).map_or(program_id, |(_, name)| name)
}
