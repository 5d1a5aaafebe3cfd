//! Native staking in mainnet's `jsonParsed` shapes (Agave's `parse_system`
//! and `parse_stake`): a stake account created with a seed from the
//! wallet, initialised with the wallet as staker and withdrawer, delegated,
//! topped up, and later withdrawn from back to the wallet.

use serde_json::json;

use super::chain::TxBuilder;
use crate::domain::programs;

/// Rent-exempt minimum of a 200-byte stake account.
pub const STAKE_ACCOUNT_RENT: u64 = 2_282_880;
const CLOCK: &str = "SysvarC1ock11111111111111111111111111111111";
const RENT: &str = "SysvarRent111111111111111111111111111111111";
const STAKE_HISTORY: &str = "SysvarStakeHistory1111111111111111111111111";
const STAKE_CONFIG: &str = "StakeConfig11111111111111111111111111111111";

impl TxBuilder {
    /// `createAccountWithSeed` of `stake` funded by `wallet` with `lamports`,
    /// `initialize` with the wallet as staker and withdrawer, and `delegate`
    /// to `vote`, as wallets and the CLI build it.
    pub fn create_and_delegate_stake(self, wallet: &str, stake: &str, lamports: u64, vote: &str) -> Self {
        self.parsed_instruction(
            "system",
            programs::SYSTEM,
            json!({"info": {
                "base": wallet,
                "lamports": lamports,
                "newAccount": stake,
                "owner": programs::STAKE,
                "seed": "stake:0",
                "source": wallet,
                "space": 200,
            }, "type": "createAccountWithSeed"}),
        )
        .lamports_move(wallet, stake, lamports)
        .parsed_instruction(
            "stake",
            programs::STAKE,
            json!({"info": {
                "authorized": {"staker": wallet, "withdrawer": wallet},
                "lockup": {"custodian": "11111111111111111111111111111111", "epoch": 0, "unixTimestamp": 0},
                "rentSysvar": RENT,
                "stakeAccount": stake,
            }, "type": "initialize"}),
        )
        .parsed_instruction(
            "stake",
            programs::STAKE,
            json!({"info": {
                "clockSysvar": CLOCK,
                "stakeAccount": stake,
                "stakeAuthority": wallet,
                "stakeConfigAccount": STAKE_CONFIG,
                "stakeHistorySysvar": STAKE_HISTORY,
                "voteAccount": vote,
            }, "type": "delegate"}),
        )
    }

    /// `withdraw` of `lamports` from `stake` to `destination`, signed by
    /// its withdraw authority.
    pub fn withdraw_stake(self, stake: &str, authority: &str, destination: &str, lamports: u64) -> Self {
        self.parsed_instruction(
            "stake",
            programs::STAKE,
            json!({"info": {
                "clockSysvar": CLOCK,
                "destination": destination,
                "lamports": lamports,
                "stakeAccount": stake,
                "stakeHistorySysvar": STAKE_HISTORY,
                "withdrawAuthority": authority,
            }, "type": "withdraw"}),
        )
        .lamports_move(stake, destination, lamports)
    }
}
