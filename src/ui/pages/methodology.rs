//! `/methodology`: every detector, what it reads, how much it weighs, what it
//! can't see — generated from the detector table the engine runs.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::domain::methodology::MethodologyEntry;

/// The habits whose detectors count as one fact, with those detectors' ids.
pub type HabitFacts = Vec<(String, Vec<String>)>;
/// The rules for following links (a hop, a hub, …): a name and its rule.
pub type LinkRules = Vec<(String, String)>;

#[server(prefix = "/api", endpoint = "page/methodology")]
pub async fn load_methodology() -> Result<(Vec<MethodologyEntry>, String, HabitFacts), ServerFnError> {
    use crate::analysis::{ANALYZER_VERSION, detectors, score};
    let entries = detectors::infos().map(MethodologyEntry::from).collect();
    let habits = score::HABITS
        .iter()
        .map(|(fact, ids)| ((*fact).to_owned(), ids.iter().map(|id| (*id).to_owned()).collect()))
        .collect();
    Ok((entries, ANALYZER_VERSION.to_owned(), habits))
}

#[server(prefix = "/api", endpoint = "page/methodology/links")]
pub async fn load_link_rules() -> Result<LinkRules, ServerFnError> {
    Ok(crate::analysis::hops::rules().into_iter().map(|(name, rule)| (name.to_owned(), rule)).collect())
}

#[component]
pub fn MethodologyPage() -> impl IntoView {
    let entries = Resource::new(|| (), |_| load_methodology());
    let link_rules = Resource::new(|| (), |_| load_link_rules());
    view! {
        <Title text="How the score works"/>
        <Meta name="description" content="How Kimiko scores a Solana wallet's privacy: every detector, what it reads, its weight and its limits."/>
        <article class="card prose">
            <h1>"How the score works"</h1>
            <p>
                "Every report starts at 100. Each detector below looks for one way the wallet can be linked to a person, "
                "another wallet or a place, and gives its finding a penalty — up to the maximum shown, scaled by how "
                "strong the evidence is. The penalties are then combined as described below, and the report shows what "
                "each finding actually cost. Grades: A from 90, B from 75, C from 60, D from 40, F below."
            </p>
            <h2>"Principles"</h2>
            <ul>
                <li>"A finding is about what the owner did or what identifies the owner. Movements between the wallet and accounts it owns (its wrapped-SOL and other token accounts, its stake accounts) are not payments and not counterparties."</li>
                <li>"What others put in the wallet's history without its signature — spam memos, dust, airdrops, token accounts nobody asked for — is at most information, unless the wallet engaged with it: signed, replied, moved the dust on."</li>
                <li>"Program-derived addresses (pool vaults, bonding curves, escrows, order accounts: addresses no private key controls) are not people and never count as \"other wallets\"."</li>
                <li>"A memo counts as the wallet's own words only when it sits in a top-level instruction of a transaction the wallet signed; memos written by programs or by other signers are context. Where someone else paid that transaction's fee (a relayer, an app), the payer may have written the memo: the finding says so."</li>
                <li>"A service that pays the fee as part of a swap (a JupiterZ market maker filling an order, Jupiter's gasless support, an integrator's payer) is not someone who sponsors the wallet."</li>
                <li>"One fact, one penalty: findings that describe the same fact are counted once in full."</li>
            </ul>
            <h2 id="combining">"How findings combine"</h2>
            <p>
                "Several findings can describe one fact — an exchange withdrawal that was also the wallet's first funding, "
                "or the wallet it trades with most that also sends money back. So findings are grouped by the fact they "
                "share: the same party (an exchange or service by name, any other wallet by address), or the same habit. "
                "In each group the finding with the biggest penalty counts in full and each of the others counts at half. "
                "Then the first 50 points come off the score one for one; beyond that each further point weighs less "
                "(the score is 2,500 divided by the points lost), so the score approaches 0 without reaching it and a "
                "wallet that leaks twice as much still scores lower than one that leaks half as much. Neither rule can "
                "make a finding raise the score. Each report lists, from 100 down, what every finding cost, and draws "
                "it as a waterfall: one bar per finding, each linked to the finding."
            </p>
            <h2>"What a report covers"</h2>
            <p>
                "Kimiko reads the wallet's most recent transactions, up to a cap (the report says how many it analysed "
                "of how many it found, and between which dates). Times are in UTC. The activity charts count "
                "transactions by hour, weekday and month; the counterparties are the wallets on the other side of its "
                "transfers, with their share of all its transfers and a label when the wallet is a known entity. "
                "The link graph shows who the wallet is tied to in public: its first funder (and that funder's funder, "
                "when the chain was followed), the wallets it pays or trades with both ways most often (direct payments "
                "only: not swap legs, tips or program-derived accounts), keys that co-signed at least two of its "
                "transactions, and whoever paid its fees; each named when it is a known entity, with a table of the same "
                "links. "
                "Evidence links to a public explorer, which sees only that someone opened the link."
            </p>
            <h2 id="names">".sol names"</h2>
            <p>
                "You can ask for a report by a .sol name (Solana Name Service) instead of an address: "
                <code>"bonfida.sol"</code>", or one level of subdomain such as "<code>"dex.bonfida.sol"</code>". "
                "Kimiko reads the name's account on chain, as the SNS SDKs do (SNS-IP 5): the holder of the name's NFT "
                "when the name is tokenized; else the wallet its SOL record points to, when the record was signed both by "
                "the name's current owner and by that wallet (a record signed by an earlier owner is stale and ignored); "
                "else the name's owner. A name that was never registered or was burned, one without an owner, one held "
                "by a program, or one whose SOL record does not check out leads to no report. "
                "Names are taken in plain ASCII only — a–z, 0–9, “-” and “_” — because a letter from another script can "
                "look exactly like a Latin one and spell somebody else's name; for a name in another script or with "
                "emoji, paste the address. The report is about the wallet, at its address's page; it says which name led "
                "to it. A name is looked up once a minute at most, and each lookup counts against the same per-connection "
                "limit as a request."
            </p>
            <h2 id="changes">"What changed since the last report"</h2>
            <p>
                "When a wallet already had a report, the new one shows what changed: the score before and now, findings "
                "that are new (with the transactions behind each), gone, or changed in severity — or that nothing "
                "changed. To do this Kimiko keeps, for each wallet, what its last report said — score, grade, date, "
                "analyser version and each finding's id, title and severity (public data, never an email address) — "
                "for a year after that report, replacing it with each new one. When a new analyser version made the "
                "new report, the report says so: some differences may come from the analyser rather than the wallet."
            </p>
            <h2 id="beyond-one-hop">"Beyond one hop"</h2>
            <p>
                "After the wallet's own history, Kimiko reads a short page of the history of the addresses it is tied "
                "to: who funded its funder, and so on, and what the addresses it pays most do with what they receive. "
                "These rules decide what that can be used for:"
            </p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match link_rules.await {
                        Ok(rules) => view! {
                            <dl class="link-rules">
                                {rules.into_iter().map(|(name, rule)| view! { <dt>{name}</dt><dd>{rule}</dd> }).collect_view()}
                            </dl>
                        }.into_any(),
                        Err(_) => view! { <p role="alert">"Could not load the rules for following links."</p> }.into_any(),
                    }
                })}
            </Suspense>
            <h2>"The detectors"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok((entries, version, habits)) => view! {
                            <p>"Habits measured by more than one detector, each counted as one fact:"</p>
                            <ul class="habit-facts">
                                {habits.into_iter().map(|(fact, ids)| view! {
                                    <li>{fact}": "{ids.into_iter().map(|id| view! { <code>{id}</code>" " }).collect_view()}</li>
                                }).collect_view()}
                            </ul>
                            <p class="muted">{format!("Analyser version {version}: {} detectors.", entries.len())}</p>
                            <div class="table-wrap">
                                <table class="methodology">
                                    <thead><tr><th scope="col">"Detector"</th><th scope="col">"What it looks at"</th><th scope="col">"Severity"</th><th scope="col">"Max penalty"</th><th scope="col">"Limits"</th></tr></thead>
                                    <tbody>
                                        {entries.into_iter().map(|e| { let anchor = e.id.replace('.', "-"); view! {
                                            <tr id=anchor>
                                                <th scope="row"><span class="detector-title">{e.title}</span><code>{e.id}</code></th>
                                                <td>{e.looks_at}</td>
                                                <td><span class=format!("sev-pill sev-{}", e.severity.as_str())>{e.severity.label()}</span></td>
                                                <td>{format!("−{}", e.max_penalty)}</td>
                                                <td>{e.limits}</td>
                                            </tr>
                                        }}).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(_) => view! { <p role="alert">"Could not load the methodology."</p> }.into_any(),
                    }
                })}
            </Suspense>
        </article>
    }
}
