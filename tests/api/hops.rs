//! Beyond one hop: the funding chain and deposit addresses, followed through
//! the real RPC client against the mock (whose call counters hold the
//! budget to account) and the shared lookup cache in a real database.

use std::time::Duration;

use kimiko::analysis::{Labels, analyze_with};
use kimiko::domain::neighbourhood::{LookupKey, Neighbourhood};
use kimiko::domain::{Finding, LinkKind, Report, Severity, WalletAddress};
use kimiko::service::neighbourhood::{Limits, follow_links};
use kimiko::solana::{SolanaRpc, fetch_history};
use kimiko::storage::Db;
use kimiko::testing::hops::{self, HopScenario};
use kimiko::testing::scenarios::BINANCE;
use kimiko::testing::{Chain, Fault, MockRpc, SOL};

const NOW_MS: i64 = 1_800_000_000_000;
const INDIRECT: &str = "funding.indirect_exchange";
const DEPOSIT: &str = "counterparty.exchange_deposit";

/// The defaults: three hops, 25 calls, a day in the cache for pages before
/// a signature, ten minutes for newest pages.
fn defaults() -> Limits {
    Limits {
        hops: 3,
        budget: 25,
        ttl: Duration::from_secs(24 * 3600),
        newest_ttl: Duration::from_secs(600),
        fresh: false,
    }
}

struct Followed {
    report: Report,
    neighbourhood: Neighbourhood,
    /// JSON-RPC calls the mock answered while links were followed.
    calls: u64,
}

async fn follow(rpc: &MockRpc, cache: Option<&Db>, wallet: &str, limits: Limits) -> Followed {
    follow_at(rpc, cache, wallet, limits, NOW_MS).await
}

async fn follow_at(rpc: &MockRpc, cache: Option<&Db>, wallet: &str, limits: Limits, now: i64) -> Followed {
    follow_then(rpc, cache, wallet, limits, now, |_| {}).await
}

/// As [`follow_at`], with `meanwhile` done to the mock once the wallet's own
/// history is read and before any link is followed.
async fn follow_then(
    rpc: &MockRpc,
    cache: Option<&Db>,
    wallet: &str,
    limits: Limits,
    now: i64,
    meanwhile: impl FnOnce(&MockRpc),
) -> Followed {
    let client = SolanaRpc::new(&[rpc.url()], Duration::from_secs(5), 50, 4);
    let wallet = WalletAddress::parse(wallet).unwrap();
    let (history, _) = fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap();
    meanwhile(rpc);
    rpc.reset_counters();
    let labels = Labels::shipped();
    let neighbourhood = follow_links(&client, cache, &labels, &history, limits, now, &|_| {}).await;
    let calls = rpc.calls();
    let report = analyze_with(&history, &neighbourhood, &labels, now / 1000);
    Followed { report, neighbourhood, calls }
}

async fn serve(build: fn(&mut Chain) -> HopScenario) -> (MockRpc, HopScenario) {
    let mut chain = Chain::new();
    let scenario = build(&mut chain);
    (MockRpc::start(chain).await, scenario)
}

fn evidence<'f>(finding: &'f Finding, label: &str) -> Vec<&'f str> {
    finding.evidence.iter().filter(|e| e.label == label).map(|e| e.value.as_str()).collect()
}

fn ids(report: &Report) -> Vec<&str> {
    report.findings.iter().map(|f| f.id.as_str()).collect()
}

#[tokio::test]
async fn a_wallet_funded_by_a_friend_who_had_just_withdrawn_from_binance_is_two_hops_from_it() {
    let (rpc, scenario) = serve(hops::exchange_two_hops).await;
    let followed = follow(&rpc, None, &scenario.wallet, defaults()).await;

    let finding = followed.report.finding(INDIRECT).unwrap_or_else(|| panic!("{:?}", ids(&followed.report)));
    assert_eq!(finding.severity, Severity::High, "two hops, passed straight on within the hour");
    assert_eq!(evidence(finding, "hops to the exchange"), ["2"]);
    assert_eq!(evidence(finding, "hop 1: funder"), [scenario.funders[0].as_str()]);
    assert_eq!(evidence(finding, "hop 2: funder"), [BINANCE]);
    assert_eq!(evidence(finding, "hop 2: amount"), ["10 SOL"]);
    assert_eq!(evidence(finding, "hop 1: amount"), ["9.5 SOL"]);
    assert_eq!(evidence(finding, "hop 2: transaction").len(), 1);
    assert!(finding.explanation.contains("Binance is an exchange 2 hops away"), "{}", finding.explanation);

    let chain_links: Vec<(&str, &str)> = followed
        .report
        .links
        .iter()
        .filter(|l| l.kind == LinkKind::FundedBy && l.finding.as_deref() == Some(INDIRECT))
        .map(|l| (l.from.as_str(), l.to.as_str()))
        .collect();
    let friend = scenario.funders[0].as_str();
    assert_eq!(chain_links, [(scenario.wallet.as_str(), friend), (friend, BINANCE)]);
    assert_eq!(
        followed.report.links.iter().find(|l| l.to == BINANCE).unwrap().label.as_deref(),
        Some("Binance")
    );

    assert!(followed.calls <= 25, "{} calls", followed.calls);
    assert_eq!(
        followed.calls,
        u64::from(followed.neighbourhood.calls),
        "the report counts what the RPC answered"
    );
    let followed_report = followed.report.links_followed.as_ref().unwrap();
    assert!(!followed_report.stopped_early);
}

#[tokio::test]
async fn an_exchange_three_hops_up_the_chain_is_reported_with_the_whole_path_at_lower_severity() {
    let (rpc, scenario) = serve(hops::exchange_three_hops).await;
    let followed = follow(&rpc, None, &scenario.wallet, defaults()).await;

    let finding = followed.report.finding(INDIRECT).unwrap_or_else(|| panic!("{:?}", ids(&followed.report)));
    assert_eq!(finding.severity, Severity::Medium);
    assert_eq!(evidence(finding, "hops to the exchange"), ["3"]);
    for (hop, funder) in scenario.funders.iter().enumerate() {
        assert_eq!(evidence(finding, &format!("hop {}: funder", hop + 1)), [funder.as_str()]);
    }
    assert_eq!(evidence(finding, "hop 3: amount"), ["20 SOL"]);
    assert_eq!(evidence(finding, "hop 3: time"), ["2026-10-01 00:00 UTC"]);
    let hops_in_graph =
        followed.report.links.iter().filter(|l| l.finding.as_deref() == Some(INDIRECT)).count();
    assert_eq!(hops_in_graph, 3);
    assert!(followed.calls <= 25, "{} calls", followed.calls);
}

#[tokio::test]
async fn paying_an_address_that_sweeps_everything_to_binance_is_paying_a_deposit_address() {
    let (rpc, scenario) = serve(hops::deposit_address).await;
    let deposit = scenario.deposit.clone().unwrap();
    let followed = follow(&rpc, None, &scenario.wallet, defaults()).await;

    let finding = followed.report.finding(DEPOSIT).unwrap_or_else(|| panic!("{:?}", ids(&followed.report)));
    assert_eq!(finding.severity, Severity::High);
    assert_eq!(finding.penalty, 25, "a sweep followed this wallet's own payment");
    assert_eq!(evidence(finding, "deposit address"), [deposit.as_str()]);
    assert_eq!(evidence(finding, "exchange wallet it sweeps to"), [BINANCE]);
    assert_eq!(evidence(finding, "payment into it").len(), 3, "the wallet's three payments");
    assert!(!evidence(finding, "sweep to the exchange").is_empty());

    let edge =
        |kind: LinkKind, from: &str, to: &str| {
            followed.report.links.iter().any(|l| {
                l.kind == kind && l.from == from && l.to == to && l.finding.as_deref() == Some(DEPOSIT)
            })
        };
    assert!(edge(LinkKind::Pays, &scenario.wallet, &deposit));
    assert!(edge(LinkKind::DepositAddress, &scenario.wallet, &deposit));
    assert!(edge(LinkKind::SweepsTo, &deposit, BINANCE));
    assert!(followed.calls <= 25, "{} calls", followed.calls);
}

#[tokio::test]
async fn a_chain_of_ordinary_wallets_is_followed_to_the_hop_limit_and_reports_nothing() {
    let (rpc, scenario) = serve(hops::ordinary_intermediary).await;
    let followed = follow(&rpc, None, &scenario.wallet, defaults()).await;

    assert!(followed.report.finding(INDIRECT).is_none(), "{:?}", ids(&followed.report));
    let looked_up: Vec<&str> =
        followed.neighbourhood.lookups.iter().map(|l| l.key.address.as_str()).collect();
    assert!(
        looked_up.contains(&scenario.funders[0].as_str())
            && looked_up.contains(&scenario.funders[1].as_str())
    );
    assert!(!looked_up.contains(&scenario.funders[2].as_str()), "the third hop is the limit: not looked up");
    let chain: Vec<_> = followed.report.links.iter().filter(|l| l.kind == LinkKind::FundedBy).collect();
    assert_eq!(chain.len(), 3, "the chain is still drawn");
    // The first hop is the wallet's own funder (its funding finding may
    // name it); no hop is tied to an exchange finding.
    assert!(chain.iter().all(|l| l.finding.as_deref() != Some(INDIRECT)), "{chain:?}");
}

#[tokio::test]
async fn a_payee_that_forwards_to_an_unlabelled_address_is_not_called_a_deposit_address() {
    let (rpc, scenario) = serve(hops::sweep_to_unlabelled).await;
    let followed = follow(&rpc, None, &scenario.wallet, defaults()).await;

    assert!(followed.report.finding(DEPOSIT).is_none(), "{:?}", ids(&followed.report));
    let payee = LookupKey::newest(scenario.deposit.clone().unwrap());
    assert!(followed.neighbourhood.contains(&payee), "it was looked up, and found not to be one");
    assert!(followed.report.links.iter().all(|l| l.kind != LinkKind::SweepsTo));
}

#[tokio::test]
async fn a_program_account_that_funded_the_wallet_is_not_a_hop_and_is_never_looked_up() {
    let (rpc, scenario) = serve(hops::program_funder).await;
    let followed = follow(&rpc, None, &scenario.wallet, defaults()).await;

    assert!(followed.report.finding(INDIRECT).is_none(), "{:?}", ids(&followed.report));
    assert!(followed.neighbourhood.lookups.is_empty());
    assert_eq!(followed.calls, 0, "nothing to follow, nothing spent");
}

#[tokio::test]
async fn a_chain_longer_than_the_budget_stops_at_the_budget_and_says_so_without_a_finding() {
    let (rpc, scenario) = serve(hops::long_chain).await;
    let tight = Limits { hops: 6, budget: 6, ..defaults() };
    let followed = follow(&rpc, None, &scenario.wallet, tight).await;

    assert!(followed.calls <= 6, "{} calls for a budget of 6", followed.calls);
    assert!(followed.neighbourhood.stopped_early);
    assert!(followed.report.finding(INDIRECT).is_none(), "{:?}", ids(&followed.report));
    assert!(followed.report.coverage().contains("stopped following links"), "{}", followed.report.coverage());

    // With room enough the same chain does reach Binance: the budget, not
    // the chain, kept the finding out.
    let roomy = follow(&rpc, None, &scenario.wallet, Limits { hops: 6, budget: 25, ..defaults() }).await;
    let finding = roomy.report.finding(INDIRECT).unwrap_or_else(|| panic!("{:?}", ids(&roomy.report)));
    assert_eq!(evidence(finding, "hops to the exchange"), ["6"]);
    assert!(!roomy.neighbourhood.stopped_early);
}

#[tokio::test]
async fn every_scenario_stays_within_the_default_budget() {
    let mut chain = Chain::new();
    let scenarios = hops::all(&mut chain);
    let rpc = MockRpc::start(chain).await;
    for scenario in &scenarios {
        let followed = follow(&rpc, None, &scenario.wallet, defaults()).await;
        assert!(followed.calls <= 25, "{}: {} calls", scenario.name, followed.calls);
        assert_eq!(
            rpc.calls_of("getSignaturesForAddress"),
            followed.neighbourhood.lookups.len(),
            "{}",
            scenario.name
        );
    }
}

#[tokio::test]
async fn a_second_report_reads_the_shared_lookups_from_the_cache_without_asking_the_rpc_again() {
    let (rpc, scenario) = serve(hops::exchange_three_hops).await;
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}/kimiko.db", dir.path().display())).await.unwrap();

    let first = follow(&rpc, Some(&db), &scenario.wallet, defaults()).await;
    assert!(first.calls > 0);
    assert_eq!(first.neighbourhood.cached, 0);

    let second = follow(&rpc, Some(&db), &scenario.wallet, defaults()).await;
    assert_eq!(second.calls, 0, "every lookup came from the cache");
    assert_eq!(second.neighbourhood.cached as usize, first.neighbourhood.lookups.len());
    assert_eq!(second.report.finding(INDIRECT), first.report.finding(INDIRECT));
    assert_eq!(second.report.links, first.report.links);
}

#[tokio::test]
async fn a_cached_lookup_past_its_lifetime_is_fetched_again() {
    let (rpc, scenario) = serve(hops::exchange_two_hops).await;
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}/kimiko.db", dir.path().display())).await.unwrap();
    let limits = defaults();
    let first = follow_at(&rpc, Some(&db), &scenario.wallet, limits, NOW_MS).await;
    let newest = first.neighbourhood.lookups.iter().filter(|l| l.key.before.is_none()).count();
    assert_eq!(newest, 2, "the two payees' newest pages");
    let (ttl, newest_ttl) = (limits.ttl.as_millis() as i64, limits.newest_ttl.as_millis() as i64);

    let within = follow_at(&rpc, Some(&db), &scenario.wallet, limits, NOW_MS + newest_ttl - 1).await;
    assert_eq!(within.calls, 0);
    let newest_expired = follow_at(&rpc, Some(&db), &scenario.wallet, limits, NOW_MS + newest_ttl).await;
    assert_eq!(rpc.calls_of("getSignaturesForAddress"), newest, "only the newest pages are read again");
    assert_eq!(newest_expired.neighbourhood.cached as usize, first.neighbourhood.lookups.len() - newest);
    let after = follow_at(&rpc, Some(&db), &scenario.wallet, limits, NOW_MS + ttl).await;
    assert_eq!(after.calls, first.calls, "expired: every lookup made again");
    assert_eq!(after.neighbourhood.cached, 0);
    assert_eq!(kimiko::storage::lookups::delete_expired(&db, NOW_MS + 2 * ttl).await.unwrap(), 3);
}

#[tokio::test]
async fn a_lookup_another_analyser_version_cached_is_made_again() {
    let (rpc, scenario) = serve(hops::exchange_two_hops).await;
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}/kimiko.db", dir.path().display())).await.unwrap();
    let first = follow(&rpc, Some(&db), &scenario.wallet, defaults()).await;
    for lookup in &first.neighbourhood.lookups {
        kimiko::storage::lookups::put(&db, lookup, "an-older-analyser", NOW_MS, NOW_MS + 3_600_000)
            .await
            .unwrap();
    }
    let again = follow(&rpc, Some(&db), &scenario.wallet, defaults()).await;
    assert_eq!(again.neighbourhood.cached, 0, "rows of another version are not read");
    assert_eq!(again.calls, first.calls);
}

/// Every budget from 1 up: whenever `address`'s lookup came back cut short,
/// the report says it stopped early and `finding` is not made from it.
/// Returns how many budgets cut that lookup short.
async fn cut_short_lookups_are_not_used(
    build: fn(&mut Chain) -> HopScenario,
    address: fn(&HopScenario) -> String,
    finding: &str,
) -> usize {
    let (rpc, scenario) = serve(build).await;
    let address = address(&scenario);
    let mut cut_short = 0;
    for budget in 1..=12 {
        let followed = follow(&rpc, None, &scenario.wallet, Limits { budget, ..defaults() }).await;
        if followed.neighbourhood.lookups.iter().any(|l| l.key.address == address && l.partial) {
            cut_short += 1;
            assert!(followed.neighbourhood.stopped_early, "budget {budget}: a lookup was cut short");
            assert!(
                !ids(&followed.report).contains(&finding),
                "budget {budget}: {finding} from a page not fully read"
            );
        }
    }
    cut_short
}

#[tokio::test]
async fn a_deposit_address_page_the_budget_cut_short_is_never_taken_for_the_whole() {
    let cut =
        cut_short_lookups_are_not_used(hops::deposit_address, |s| s.deposit.clone().unwrap(), DEPOSIT).await;
    assert!(cut > 0, "some budget cut the deposit address's page short");
}

#[tokio::test]
async fn a_funder_page_the_budget_cut_short_ends_the_chain() {
    let cut =
        cut_short_lookups_are_not_used(hops::exchange_three_hops, |s| s.funders[1].clone(), INDIRECT).await;
    assert!(cut > 0, "some budget cut a funder's page short");
}

/// What a node answers when it is behind: worth retrying, later.
const NODE_BEHIND: (i64, &str) = (-32005, "Node is behind by 142 slots");
/// What a node without the history answers: asking it again will not help.
const NO_HISTORY: (i64, &str) = (-32011, "Transaction history is not available from this node");

#[tokio::test]
async fn a_lookup_the_node_fails_to_answer_never_fails_the_report_and_the_report_says_it_stopped_early() {
    let (rpc, scenario) = serve(hops::exchange_two_hops).await;
    rpc.refuse_address(&scenario.funders[0], NODE_BEHIND.0, NODE_BEHIND.1);
    let followed = follow(&rpc, None, &scenario.wallet, defaults()).await;

    assert!(followed.neighbourhood.stopped_early);
    assert!(followed.report.finding(INDIRECT).is_none(), "{:?}", ids(&followed.report));
    let coverage = followed.report.coverage();
    assert!(coverage.contains("could not fully read 1 of"), "{coverage}");
}

#[tokio::test]
async fn a_lookup_the_node_refuses_ends_the_chain_as_stopped_early_not_as_nothing_found() {
    let (rpc, scenario) = serve(hops::exchange_two_hops).await;
    rpc.refuse_address(&scenario.funders[0], NO_HISTORY.0, NO_HISTORY.1);
    let followed = follow(&rpc, None, &scenario.wallet, defaults()).await;

    assert!(followed.report.finding(INDIRECT).is_none(), "{:?}", ids(&followed.report));
    assert!(followed.neighbourhood.stopped_early, "a link was not followed: the report must say so");
    assert!(followed.report.coverage().contains("could not fully read"), "{}", followed.report.coverage());
}

#[tokio::test]
async fn a_lookup_the_budget_cut_short_in_the_middle_of_its_page_is_never_used() {
    let (rpc, scenario) = serve(hops::exchange_two_hops).await;
    // Three signature pages (the funder and two payees), then room for one
    // transaction of the funder's page: its newest, the Binance withdrawal,
    // but not the rest of what it did.
    let tight = Limits { budget: 4, ..defaults() };
    let followed = follow(&rpc, None, &scenario.wallet, tight).await;

    assert_eq!(followed.calls, 4);
    let funder = &followed.neighbourhood.lookups[0];
    assert!(funder.partial && funder.transactions.len() == 1, "{funder:?}");
    assert!(followed.neighbourhood.stopped_early);
    assert!(followed.report.finding(INDIRECT).is_none(), "{:?}", ids(&followed.report));
    assert!(
        followed.report.links.iter().all(|l| l.to != BINANCE),
        "nothing a cut-short lookup shows is drawn: {:?}",
        followed.report.links
    );
}

#[tokio::test]
async fn a_provider_that_stops_answering_while_links_are_followed_still_gets_a_report_made() {
    let (rpc, scenario) = serve(hops::exchange_two_hops).await;
    let followed = follow_then(&rpc, None, &scenario.wallet, defaults(), NOW_MS, |rpc| {
        rpc.fail_always(Fault::Malformed)
    })
    .await;

    assert!(followed.neighbourhood.stopped_early);
    assert_eq!(followed.neighbourhood.incomplete as usize, followed.neighbourhood.lookups.len());
    assert!(followed.report.finding(INDIRECT).is_none());
    assert!(followed.report.finding("funding.source").is_some(), "the wallet's own findings stand");
}

#[tokio::test]
async fn a_wallet_paid_by_a_payout_hub_that_binance_tops_up_is_not_told_binance_funded_it() {
    let (rpc, scenario) = serve(hops::payout_hub).await;
    let hub = scenario.funders[0].as_str();
    let followed = follow(&rpc, None, &scenario.wallet, defaults()).await;

    assert!(followed.report.finding(INDIRECT).is_none(), "{:?}", ids(&followed.report));
    let note =
        followed.report.finding("funding.hub").unwrap_or_else(|| panic!("{:?}", ids(&followed.report)));
    assert_eq!((note.severity, note.penalty), (Severity::Info, 0));
    assert_eq!(evidence(note, "payout hub"), [hub]);
    assert_eq!(evidence(note, "topped up by"), [BINANCE]);
    assert!(followed.report.links.iter().all(|l| l.to != BINANCE), "{:?}", followed.report.links);
    let edge = followed.report.links.iter().find(|l| l.kind == LinkKind::FundedBy && l.to == hub).unwrap();
    assert!(edge.detail.as_deref().unwrap_or_default().contains("payout hub"), "{edge:?}");
}

#[tokio::test]
async fn a_friend_funded_from_binance_three_weeks_before_is_not_money_passing_through() {
    let (rpc, scenario) = serve(hops::funded_weeks_before).await;
    let followed = follow(&rpc, None, &scenario.wallet, defaults()).await;

    assert!(followed.report.finding(INDIRECT).is_none(), "{:?}", ids(&followed.report));
    assert!(
        followed.neighbourhood.contains(&LookupKey::before(
            scenario.funders[0].clone(),
            followed
                .report
                .finding("funding.source")
                .map(|f| evidence(f, "funding transaction")[0].to_owned())
                .unwrap()
        ))
    );
}

#[tokio::test]
async fn a_hundred_sol_top_up_does_not_explain_a_one_sol_payment() {
    let (rpc, scenario) = serve(hops::big_top_up_small_payment).await;
    let followed = follow(&rpc, None, &scenario.wallet, defaults()).await;

    assert!(followed.report.finding(INDIRECT).is_none(), "{:?}", ids(&followed.report));
    assert!(followed.report.links.iter().all(|l| l.to != BINANCE), "{:?}", followed.report.links);
}

/// The deposit scenario's payee starts paying someone other than Binance:
/// it is no longer only a deposit address.
fn deposit_address_pays_someone_else(rpc: &MockRpc, deposit: &str) {
    use kimiko::testing::TxBuilder;
    use kimiko::testing::chain::address;
    let other = address("hops:deposit:someone-it-pays");
    let at = kimiko::testing::scenarios::START + 20 * 86_400;
    let pay = TxBuilder::new(deposit, at).seed("deposit-pays-other").sol_transfer(deposit, &other, SOL);
    rpc.with_chain(|chain| chain.add(&pay, &[deposit, &other]));
}

#[tokio::test]
async fn a_payee_whose_newest_page_changed_is_read_again_once_its_short_life_is_over() {
    let (rpc, scenario) = serve(hops::deposit_address).await;
    let deposit = scenario.deposit.clone().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}/kimiko.db", dir.path().display())).await.unwrap();
    let first = follow(&rpc, Some(&db), &scenario.wallet, defaults()).await;
    assert!(first.report.finding(DEPOSIT).is_some(), "{:?}", ids(&first.report));

    deposit_address_pays_someone_else(&rpc, &deposit);
    let soon = follow_at(&rpc, Some(&db), &scenario.wallet, defaults(), NOW_MS + 60_000).await;
    assert!(soon.neighbourhood.contains(&LookupKey::newest(deposit.clone())));
    assert!(soon.report.finding(DEPOSIT).is_some(), "a newest page is shared for a few minutes");
    let later = follow_at(&rpc, Some(&db), &scenario.wallet, defaults(), NOW_MS + 30 * 60_000).await;
    assert!(
        later.report.finding(DEPOSIT).is_none(),
        "half an hour on, the payee's newest page is read again"
    );
    assert!(later.neighbourhood.cached > 0, "pages before a signature are still shared");
}

#[tokio::test]
async fn a_fresh_analysis_reads_the_payees_newest_pages_again() {
    let (rpc, scenario) = serve(hops::deposit_address).await;
    let deposit = scenario.deposit.clone().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}/kimiko.db", dir.path().display())).await.unwrap();
    follow(&rpc, Some(&db), &scenario.wallet, defaults()).await;

    deposit_address_pays_someone_else(&rpc, &deposit);
    let fresh =
        follow_at(&rpc, Some(&db), &scenario.wallet, Limits { fresh: true, ..defaults() }, NOW_MS + 60_000)
            .await;
    assert!(fresh.report.finding(DEPOSIT).is_none(), "{:?}", ids(&fresh.report));
}

#[tokio::test]
async fn the_deposit_address_box_says_each_fact_once_and_counts_sweeps_only_as_far_as_it_read() {
    let (rpc, scenario) = serve(hops::deposit_address).await;
    let deposit = scenario.deposit.clone().unwrap();
    let followed = follow(&rpc, None, &scenario.wallet, defaults()).await;

    let between: Vec<&str> = followed
        .report
        .links
        .iter()
        .filter(|l| l.from == scenario.wallet && l.to == deposit)
        .filter_map(|l| l.detail.as_deref())
        .collect();
    assert!(between.iter().filter(|d| d.contains("3 payments")).count() == 1, "{between:?}");
    // Its page holds four sweeps (three of this wallet's payments, one of
    // someone else's); only some of its transactions are read, and the
    // graph must not pass that off as the count.
    let sweeps = followed.report.links.iter().find(|l| l.kind == LinkKind::SweepsTo).unwrap();
    let detail = sweeps.detail.as_deref().unwrap();
    assert!(detail.contains("read"), "{detail}");
}
