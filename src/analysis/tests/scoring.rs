//! How findings combine into the score: one fact costs once, and busy
//! wallets stay distinguishable instead of all sitting at 0.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::analysis::detectors::infos;
use crate::analysis::score::{assign_points, score};
use crate::analysis::testkit::*;
use crate::domain::{Finding, Report, Severity};

/// One finding per detector, each at its maximum penalty.
fn every_detector_at_max() -> Vec<Finding> {
    infos()
        .map(|info| {
            info.finding(info.severity, 100).explanation("at its maximum").recommendation("none").build()
        })
        .collect()
}

#[test]
fn a_wallet_with_every_detector_at_max_still_scores_above_zero_and_below_one_with_half_of_them() {
    let all = every_detector_at_max();
    let half: Vec<Finding> = all.iter().step_by(2).cloned().collect();
    let (all_score, half_score) = (score(&all), score(&half));
    assert!(all_score > 0, "every detector at max should not be indistinguishable from nothing left");
    assert!(half_score > all_score, "half the detectors {half_score} vs all of them {all_score}");
}

#[test]
fn busy_wallets_with_different_amounts_of_exposure_get_different_scores() {
    let all = every_detector_at_max();
    let scores: Vec<u8> = [6, 12, 18, all.len()].iter().map(|&n| score(&all[..n])).collect();
    assert!(scores.windows(2).all(|w| w[0] > w[1]), "{scores:?}");
}

/// The points off the score if every finding cost its full penalty.
fn nominal(report: &Report) -> u32 {
    report.findings.iter().map(|f| u32::from(f.penalty)).sum()
}

/// Findings about one fact cost less together than their penalties added up.
fn assert_overlap_is_discounted(report: &Report) {
    let nominal = nominal(report);
    assert!(
        u32::from(100 - report.score) < nominal,
        "score {} from nominal penalties {nominal}: {:#?}",
        report.score,
        report.findings
    );
}

#[test]
fn an_exchange_withdrawal_that_is_also_the_first_funding_costs_less_than_both_penalties() {
    let report = wallet()
        .receives_sol_from(BINANCE, 2.5)
        .receives_sol_from(BINANCE, 1.0)
        .receives_sol_from(BINANCE, 0.7)
        .analyze();
    let exchange = expect_finding(&report, "known_entity.exchange");
    let funding = expect_finding(&report, "funding.source");
    let both = u32::from(exchange.penalty) + u32::from(funding.penalty);
    assert_eq!(both, 45, "three exchange transfers (25) and exchange funding (20)");
    assert_overlap_is_discounted(&report);
}

#[test]
fn two_way_flows_with_the_partner_that_dominates_concentration_cost_less_than_both_penalties() {
    let partner = addr(60);
    let report = wallet()
        .repeat(6, |w, i| {
            let sol = 0.31 + f64::from(i as u8) * 0.0713;
            if i % 2 == 0 { w.sends_sol_to(&partner, sol) } else { w.receives_sol_from(&partner, sol) }
        })
        .sends_sol_to(&addr(61), 0.2718)
        .analyze();
    let concentration = expect_finding(&report, "counterparty.concentration");
    let two_way = expect_finding(&report, "counterparty.two_way");
    assert!(concentration.penalty > 0 && two_way.penalty > 0);
    assert_overlap_is_discounted(&report);
}

#[test]
fn unrelated_findings_cost_their_full_penalties_while_the_score_is_high() {
    // Exchange dealings with Binance and a first funder that is someone else:
    // two facts, each paid in full.
    let report = wallet().receives_sol_from(&addr(9), 1.5).receives_sol_from(BINANCE, 0.8).analyze();
    let nominal = nominal(&report);
    assert!(nominal <= 50, "{:#?}", report.findings);
    assert_eq!(u32::from(100 - report.score), nominal, "{:#?}", report.findings);
    assert!(report.findings.iter().any(|f| f.severity == Severity::High));
}

/// A finding of a random detector at a random strength, about one of a few
/// parties, its habit, or nothing shared.
fn random_finding(rng: &mut StdRng) -> Finding {
    let all: Vec<_> = infos().collect();
    let info = all[rng.random_range(0..all.len())];
    let finding =
        info.finding(info.severity, rng.random_range(0..=100)).explanation("random").recommendation("random");
    match rng.random_range(0..4) {
        0 => finding.about(["Binance", "wallet A", "wallet B"][rng.random_range(0..3)]).build(),
        1 => {
            let mut finding = finding.build();
            finding.fact = None;
            finding
        }
        _ => finding.build(),
    }
}

#[test]
fn adding_any_finding_to_any_set_never_raises_the_score() {
    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..5_000 {
        let size = rng.random_range(0..40);
        let set: Vec<Finding> = (0..size).map(|_| random_finding(&mut rng)).collect();
        let mut bigger = set.clone();
        let at = rng.random_range(0..=bigger.len());
        bigger.insert(at, random_finding(&mut rng));
        assert!(score(&bigger) <= score(&set), "{:?} then {:?}", score(&set), score(&bigger));
    }
}

#[test]
fn the_points_each_finding_cost_add_up_to_what_the_score_lost() {
    let mut rng = StdRng::seed_from_u64(12);
    for _ in 0..2_000 {
        let size = rng.random_range(0..30);
        let mut findings: Vec<Finding> = (0..size).map(|_| random_finding(&mut rng)).collect();
        let expected = score(&findings);
        let returned = assign_points(&mut findings);
        let points: u32 = findings.iter().map(|f| u32::from(f.points.unwrap())).sum();
        assert_eq!(returned, expected);
        assert_eq!(points, 100 - u32::from(expected));
        for finding in &findings {
            assert!(finding.points.unwrap() <= finding.penalty, "{finding:#?}");
        }
    }
}

#[test]
fn each_finding_of_a_report_says_what_it_cost_and_the_steps_reach_the_score() {
    let report = wallet()
        .receives_sol_from(BINANCE, 2.5)
        .sends_sol_to(BINANCE, 1.0)
        .receives_sol_from(BINANCE, 0.7)
        .sends_sol_to(&addr(4), 0.7312)
        .memo("payment from jane.doe@example.com")
        .analyze();
    let exchange = expect_finding(&report, "known_entity.exchange");
    let funding = expect_finding(&report, "funding.source");
    assert_eq!(exchange.fact.as_deref(), Some("Binance"));
    assert_eq!(funding.fact.as_deref(), Some("Binance"));
    assert!(funding.points.unwrap() < funding.penalty, "the smaller of the two counts at half");
    let steps = report.score_steps().expect("a new report has its points");
    assert_eq!(steps.last().unwrap().score_after, report.score);
    let funding_step = steps.iter().find(|s| s.finding.id == "funding.source").unwrap();
    assert_eq!(funding_step.shares_with.unwrap().id, "known_entity.exchange");
}
