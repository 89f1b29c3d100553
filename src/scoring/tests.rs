//! Hand-computed table tests and property tests across the scoring engine.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::*;

pub(super) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn rule(id: i64, key: &str, cap: Option<i64>, min: Option<i64>) -> ActivityTypeRule {
    ActivityTypeRule {
        id,
        key: key.into(),
        label: key.into(),
        icon: String::new(),
        leading: true,
        daily_cap: cap,
        min_duration_seconds: min,
    }
}

fn wv(id: i64, ty: i64, from: NaiveDate, hundredths: i64) -> WeightVersion {
    WeightVersion {
        id,
        activity_type_id: ty,
        effective_from: from,
        weight: Points(hundredths),
    }
}

fn roll(rep: i64, date: NaiveDate, ty: i64, units: i64) -> DailyRollup {
    DailyRollup {
        rep_id: rep,
        date,
        activity_type_id: ty,
        units,
        duration_seconds: 0,
    }
}

const CALL: i64 = 1;
const EMAIL: i64 = 2;
const VISIT: i64 = 4;

fn types() -> Vec<ActivityTypeRule> {
    vec![
        rule(CALL, "call", Some(20), Some(60)),
        rule(EMAIL, "email", None, None),
        rule(VISIT, "visit", Some(3), None),
    ]
}

fn weights() -> WeightTable {
    WeightTable::new(vec![
        wv(10, CALL, d(2020, 1, 1), 300),
        wv(11, EMAIL, d(2020, 1, 1), 100),
        wv(12, VISIT, d(2020, 1, 1), 1000),
        // call weight raised from 3 to 4.5 on Monday 16 Nov 2026
        wv(13, CALL, d(2026, 11, 16), 450),
    ])
}

fn nov() -> Period {
    Period::containing(PeriodKind::Month, d(2026, 11, 1), 1)
}

#[test]
fn qualifies_on_minimum_duration() {
    let call = rule(CALL, "call", None, Some(60));
    assert!(!call.qualifies(Some(59)));
    assert!(call.qualifies(Some(60)));
    assert!(!call.qualifies(None));
    let email = rule(EMAIL, "email", None, None);
    assert!(email.qualifies(None));
    assert!(email.qualifies(Some(0)));
}

#[test]
fn weight_change_mid_period_splits_the_explanation() {
    let rollups = vec![
        roll(7, d(2026, 11, 13), CALL, 10), // 10 × 3.00 = 30.00
        roll(7, d(2026, 11, 16), CALL, 4),  // 4 × 4.50 = 18.00
        roll(7, d(2026, 11, 17), CALL, 2),  // 2 × 4.50 = 9.00
        roll(7, d(2026, 11, 17), EMAIL, 5), // 5 × 1.00 = 5.00
    ];
    let b = score_rep(7, &rollups, &types(), &weights(), &nov());
    assert_eq!(b.total, Points(6200));
    assert_eq!(
        b.lines,
        vec![
            ScoreLine {
                activity_type_id: CALL,
                weight_version_id: Some(10),
                weight: Points(300),
                units: 10,
                counted_units: 10,
                points: Points(3000)
            },
            ScoreLine {
                activity_type_id: CALL,
                weight_version_id: Some(13),
                weight: Points(450),
                units: 6,
                counted_units: 6,
                points: Points(2700)
            },
            ScoreLine {
                activity_type_id: EMAIL,
                weight_version_id: Some(11),
                weight: Points(100),
                units: 5,
                counted_units: 5,
                points: Points(500)
            },
        ]
    );
    assert_eq!(b.lines[1].explain("Call"), "Call × 6 × 4.50 = 27.00");
    assert_eq!(
        b.lines[1].explain_versioned("Call", &weights()),
        "Call × 6 × 4.50 (weight since 2026-11-16) = 27.00"
    );
}

#[test]
fn daily_cap_exceeded_keeps_units_but_scores_the_cap() {
    let rollups = vec![
        roll(7, d(2026, 11, 2), VISIT, 5), // cap 3: 3 × 10 = 30, 2 flagged
        roll(7, d(2026, 11, 3), VISIT, 3), // 30
        // a duplicate row for the same day is summed before the cap applies
        roll(7, d(2026, 11, 4), VISIT, 2),
        roll(7, d(2026, 11, 4), VISIT, 2), // 4 → 3 counted
    ];
    let b = score_rep(7, &rollups, &types(), &weights(), &nov());
    assert_eq!(b.total, Points(9000));
    assert_eq!(b.lines.len(), 1);
    assert_eq!(b.lines[0].units, 12);
    assert_eq!(b.lines[0].counted_units, 9);
    assert_eq!(b.lines[0].capped_units(), 3);
    assert_eq!(
        b.lines[0].explain("Visit"),
        "Visit × 9 × 10.00 = 90.00 (3 over daily cap)"
    );
    assert_eq!(
        activity_scores(&rollups, &types(), &weights(), &nov())[&7],
        Points(9000)
    );
}

#[test]
fn unknown_types_and_other_periods_are_ignored() {
    let rollups = vec![
        roll(7, d(2026, 11, 2), 999, 50),  // unknown type
        roll(7, d(2026, 10, 31), CALL, 5), // October
        roll(7, d(2026, 12, 1), CALL, 5),  // December
        roll(8, d(2026, 11, 2), 999, 1),   // rep 8 only has an unknown type
        roll(9, d(2026, 11, 30), EMAIL, 1),
        roll(7, d(2026, 11, 2), EMAIL, -4), // negative units count as 0
    ];
    let b = score_rep(7, &rollups, &types(), &weights(), &nov());
    assert_eq!(b.total, Points(0));
    let all = activity_scores(&rollups, &types(), &weights(), &nov());
    assert_eq!(
        all,
        BTreeMap::from([(7, Points(0)), (8, Points(0)), (9, Points(100))])
    );
    // a rep who is nowhere in the rollups
    assert_eq!(
        score_rep(42, &rollups, &types(), &weights(), &nov()).lines,
        vec![]
    );
}

#[test]
fn no_weight_in_force_scores_zero_with_explanation() {
    let w = WeightTable::new(vec![wv(1, CALL, d(2026, 11, 10), 300)]);
    let rollups = vec![
        roll(7, d(2026, 11, 9), CALL, 4),
        roll(7, d(2026, 11, 10), CALL, 1),
    ];
    let b = score_rep(7, &rollups, &types(), &w, &nov());
    assert_eq!(b.total, Points(300));
    assert_eq!(b.lines[0].weight_version_id, None);
    assert_eq!(
        b.lines[0].explain("Call"),
        "Call × 4 × 0.00 = 0.00 (no weight in force)"
    );
}

#[test]
fn activity_index_tenths() {
    assert_eq!(activity_index(Points(5000), Points(10000)), 50);
    assert_eq!(activity_index(Points(10000), Points(10000)), 100);
    assert_eq!(activity_index(Points(1), Points(3)), 33); // 3.33 → 3.3
    assert_eq!(activity_index(Points(1), Points(400)), 0); // 0.025 → 0.0
    assert_eq!(activity_index(Points(2), Points(400)), 1); // 0.05 → 0.1 (half away)
    assert_eq!(activity_index(Points(0), Points(0)), 0);
    assert_eq!(display_activity_index(75), "7.5");
    // 300.00 points over 30 days = 70.00 a week; 100.00 over 30 days = 23.333… → 23.33
    assert_eq!(average_week(Points(30_000), 30), Points(7_000));
    assert_eq!(average_week(Points(10_000), 30), Points(2_333));
    assert_eq!(average_week(Points(10_000), 0), Points(0));
    assert_eq!(display_activity_index(100), "10.0");
    let idx = activity_indexes(&BTreeMap::from([(1, Points(800)), (2, Points(400))]));
    assert_eq!(idx, BTreeMap::from([(1, 100), (2, 50)]));
}

#[test]
fn competition_ranking_with_ties() {
    let r = rank_competition(&[(5, 10), (3, 30), (4, 30), (1, 20), (2, 10), (6, 0)]);
    let got: Vec<(i64, i32)> = r.iter().map(|e| (e.id, e.rank)).collect();
    assert_eq!(got, vec![(3, 1), (4, 1), (1, 3), (2, 4), (5, 4), (6, 6)]);
    assert_eq!(rank_competition(&[]), vec![]);
    let all_tied = rank_competition(&[(2, 0), (1, 0)]);
    assert_eq!(
        all_tied,
        vec![
            RankedEntry {
                id: 1,
                rank: 1,
                value: 0
            },
            RankedEntry {
                id: 2,
                rank: 1,
                value: 0
            }
        ]
    );
}

#[test]
fn leaderboard_includes_the_whole_roster() {
    let scores = BTreeMap::from([(1, Points(900)), (2, Points(300)), (99, Points(5000))]);
    let lb = leaderboard(&[1, 2, 3], &scores);
    assert_eq!(
        lb,
        vec![
            LeaderboardEntry {
                rep_id: 1,
                rank: 1,
                score: Points(900),
                index: 100
            },
            LeaderboardEntry {
                rep_id: 2,
                rank: 2,
                score: Points(300),
                index: 33
            },
            LeaderboardEntry {
                rep_id: 3,
                rank: 3,
                score: Points(0),
                index: 0
            },
        ]
    );
}

#[test]
fn most_improved_and_personal_best() {
    let cur = [
        (1, Some(Percent(9_000))),
        (2, Some(Percent(12_000))),
        (3, None),
        (4, Some(Percent(5_000))),
    ];
    let prev = [
        (1, Some(Percent(6_000))),
        (2, Some(Percent(11_000))),
        (3, Some(Percent(1))),
    ];
    let mi = most_improved(&cur, &prev);
    assert_eq!(mi.len(), 2);
    assert_eq!(
        (mi[0].rep_id, mi[0].rank, mi[0].change),
        (1, 1, Percent(3_000))
    );
    assert_eq!(
        (mi[1].rep_id, mi[1].rank, mi[1].change),
        (2, 2, Percent(1_000))
    );

    let today = d(2026, 11, 23);
    let m = |y, mo| Period::containing(PeriodKind::Month, d(y, mo, 1), 1);
    let hist = [
        (m(2026, 8), 500),
        (m(2026, 9), 700),
        (m(2026, 10), 700),
        (m(2026, 11), 900),
    ];
    let pb = personal_best(&hist, today).unwrap();
    assert_eq!(pb.period, m(2026, 9)); // the open November does not count; tie → earliest
    assert_eq!(pb.value, 700);
    assert!(is_new_personal_best(701, &hist, today));
    assert!(!is_new_personal_best(700, &hist, today));
    assert_eq!(personal_best(&hist[3..], today), None);
}

// ---------------------------------------------------------------------------------------
// Scorecards end to end
// ---------------------------------------------------------------------------------------

const ROLE_AE: i64 = 1;

fn sdr_template() -> ScorecardTemplate {
    ScorecardTemplate::new(
        ROLE_AE,
        "Account Executive",
        vec![
            ScorecardMetric {
                metric: Metric::ActivityCount {
                    activity_type_id: CALL,
                },
                indicator: Indicator::Leading,
                weight: 1,
            },
            ScorecardMetric {
                metric: Metric::ActivityScore,
                indicator: Indicator::Leading,
                weight: 1,
            },
            ScorecardMetric {
                metric: Metric::TurnoverWon,
                indicator: Indicator::Lagging,
                weight: 2,
            },
        ],
    )
}

fn ym(y: i32, m: u32) -> YearMonth {
    YearMonth::new(y, m).unwrap()
}

fn target(metric: Metric, owner: TargetOwner, month: YearMonth, value: i64) -> MonthlyTarget {
    MonthlyTarget {
        metric,
        owner,
        month,
        value,
    }
}

fn won(id: i64, rep: i64, amount: i64, closed: NaiveDate) -> Deal {
    Deal {
        id,
        rep_id: rep,
        amount: Money(amount),
        status: DealStatus::Won,
        stage: "won".into(),
        probability: 100,
        created_on: closed - chrono::Duration::days(10),
        closed_on: Some(closed),
        expected_close: Some(closed),
        lost_reason: None,
        new_customer: false,
    }
}

#[test]
fn scorecard_mid_month_hand_computed() {
    let nov = nov();
    let today = d(2026, 11, 16); // Monday: 11 of 21 working days elapsed
    let calls = Metric::ActivityCount {
        activity_type_id: CALL,
    };
    let targets = TargetBook::new(vec![
        target(calls, TargetOwner::Role(ROLE_AE), ym(2026, 11), 210),
        target(
            Metric::ActivityScore,
            TargetOwner::Role(ROLE_AE),
            ym(2026, 11),
            100_000,
        ),
        target(
            Metric::TurnoverWon,
            TargetOwner::Role(ROLE_AE),
            ym(2026, 11),
            2_100_000,
        ),
        // rep 7 has a personal call target
        target(calls, TargetOwner::Rep(7), ym(2026, 11), 420),
    ]);
    let rollups = vec![
        roll(7, d(2026, 11, 2), CALL, 25), // 20 counted (cap)
        roll(7, d(2026, 11, 3), CALL, 20),
        roll(7, d(2026, 11, 16), CALL, 20), // weight 4.50 from today
        roll(7, d(2026, 11, 16), VISIT, 2),
    ];
    let deals = vec![
        won(1, 7, 2_000_000, d(2026, 11, 12)),
        won(2, 8, 5, d(2026, 11, 12)),
    ];
    let ws = weights();
    let ts = types();
    let cal = WorkCalendar::default();
    let thresholds = BandThresholds::default();
    let ctx = ScorecardContext {
        inputs: MetricInputs {
            rollups: &rollups,
            types: &ts,
            weights: &ws,
            deals: &deals,
        },
        targets: &targets,
        calendar: &cal,
        absences: &[],
        thresholds: &thresholds,
        today,
    };
    let sc = build_scorecard(7, Some(ROLE_AE), &sdr_template(), &nov, &ctx);
    assert_eq!(
        sc.working_days,
        WorkingDaysProgress {
            total: 21,
            elapsed: 11,
            closed: false
        }
    );
    // calls: 60 counted; own target 420; expected 420 × 11/21 = 220; pace 60/220 = 27.27 %
    let l = &sc.lines[0];
    assert_eq!(
        (l.actual, l.target, l.expected_to_date),
        (Some(60), Some(420), Some(220))
    );
    assert_eq!(l.attainment, Some(Percent(1_429)));
    assert_eq!(l.pace, Some(Percent(2_727)));
    assert_eq!(l.band, Some(Band::NeedsIntervention));
    // score: 40 × 3 + 20 × 4.5 + 2 × 10 = 230.00 → 23000; target 100 000 → expected 52 381
    let l = &sc.lines[1];
    assert_eq!((l.actual, l.expected_to_date), (Some(23_000), Some(52_381)));
    assert_eq!(l.pace, Some(Percent(4_391)));
    // turnover 2 000 000 of 2 100 000; expected 1 100 000; pace 181.82 %, uncapped
    let l = &sc.lines[2];
    assert_eq!(l.expected_to_date, Some(1_100_000));
    assert_eq!(l.pace, Some(Percent(18_182)));
    assert_eq!(l.attainment, Some(Percent(9_524)));
    assert_eq!(l.band, Some(Band::Outstanding)); // open month: banded on pace
                                                 // composite = (1 × 2727 + 1 × 4391 + 2 × 15000 (capped)) / 4 = 9279.5 → 9280
    assert_eq!(sc.composite, Some(Percent(9_280)));
    assert_eq!(sc.composite_band, Some(Band::AtRisk));
    assert_eq!(
        sc.lines[0].explain(&ts),
        "call count: actual 60, target 420, expected 220, pace 27%, attainment 14% — Needs intervention"
    );

    // the same month once closed: expected = target, banded on attainment
    let closed_ctx = ScorecardContext {
        today: d(2026, 12, 2),
        ..ctx
    };
    let sc = build_scorecard(7, Some(ROLE_AE), &sdr_template(), &nov, &closed_ctx);
    assert!(sc.closed);
    let l = &sc.lines[2];
    assert_eq!(l.expected_to_date, Some(2_100_000));
    assert_eq!(l.pace, l.attainment);
    assert_eq!(l.band, Some(Band::AtRisk));
}

#[test]
fn rep_absent_all_month_is_na_not_zero() {
    let nov = nov();
    let targets = TargetBook::new(vec![target(
        Metric::ActivityScore,
        TargetOwner::Role(ROLE_AE),
        ym(2026, 11),
        100_000,
    )]);
    let absences = [
        Absence {
            rep_id: 7,
            start: d(2026, 10, 26),
            end: d(2026, 12, 4),
        },
        Absence {
            rep_id: 8,
            start: d(2026, 11, 2),
            end: d(2026, 11, 2),
        },
    ];
    let ts = types();
    let ws = weights();
    let cal = WorkCalendar::default();
    let th = BandThresholds::default();
    let ctx = ScorecardContext {
        inputs: MetricInputs {
            rollups: &[],
            types: &ts,
            weights: &ws,
            deals: &[],
        },
        targets: &targets,
        calendar: &cal,
        absences: &absences,
        thresholds: &th,
        today: d(2026, 11, 20),
    };
    let tpl = ScorecardTemplate::new(
        ROLE_AE,
        "AE",
        vec![ScorecardMetric {
            metric: Metric::ActivityScore,
            indicator: Indicator::Leading,
            weight: 1,
        }],
    );
    let sc = build_scorecard(7, Some(ROLE_AE), &tpl, &nov, &ctx);
    assert_eq!(sc.working_days.total, 0);
    let l = &sc.lines[0];
    assert_eq!(l.actual, Some(0));
    assert_eq!(l.target, Some(100_000));
    assert_eq!(l.expected_to_date, None);
    assert_eq!(l.pace, None);
    assert_eq!(l.band, None);
    assert_eq!(sc.composite, None);
    assert!(l.explain(&ts).contains("expected n/a, pace n/a"));
    // once closed: still no expectation, but attainment exists and bands the line
    let sc = build_scorecard(
        7,
        Some(ROLE_AE),
        &tpl,
        &nov,
        &ScorecardContext {
            today: d(2026, 12, 10),
            ..ctx
        },
    );
    assert_eq!(sc.lines[0].expected_to_date, None);
    assert_eq!(sc.lines[0].attainment, Some(Percent(0)));
    assert_eq!(sc.lines[0].band, Some(Band::NeedsIntervention));
    // another rep's absence does not affect rep 7's colleague: rep 8 lost one day only
    let sc8 = build_scorecard(8, Some(ROLE_AE), &tpl, &nov, &ctx);
    assert_eq!(sc8.working_days.total, 20);
}

#[test]
fn target_zero_is_na() {
    let nov = nov();
    let p = WorkingDaysProgress {
        total: 21,
        elapsed: 11,
        closed: false,
    };
    let th = BandThresholds::default();
    let l = ScorecardLine::evaluate(
        Metric::DealsWon,
        Indicator::Lagging,
        1,
        Some(3),
        Some(0),
        &nov,
        d(2026, 11, 16),
        &p,
        &th,
    );
    assert_eq!(l.expected_to_date, Some(0));
    assert_eq!(l.attainment, None);
    assert_eq!(l.pace, None);
    assert_eq!(l.band, None);
    // no target at all
    let l = ScorecardLine::evaluate(
        Metric::DealsWon,
        Indicator::Lagging,
        1,
        Some(3),
        None,
        &nov,
        d(2026, 11, 16),
        &p,
        &th,
    );
    assert_eq!(
        (l.expected_to_date, l.attainment, l.band),
        (None, None, None)
    );
    // ratio metric: target applies as is; lower-is-better metric: inverted
    let l = ScorecardLine::evaluate(
        Metric::WinRate,
        Indicator::Lagging,
        1,
        Some(3_000),
        Some(4_000),
        &nov,
        d(2026, 11, 16),
        &p,
        &th,
    );
    assert_eq!(
        (l.expected_to_date, l.pace, l.attainment),
        (Some(4_000), Some(Percent(7_500)), Some(Percent(7_500)))
    );
    let l = ScorecardLine::evaluate(
        Metric::SalesCycleLength,
        Indicator::Lagging,
        1,
        Some(200),
        Some(300),
        &nov,
        d(2026, 11, 16),
        &p,
        &th,
    );
    assert_eq!(l.pace, Some(Percent(15_000)));
    assert_eq!(l.band, Some(Band::Outstanding));
}

#[test]
fn fiscal_year_april_targets_and_scores() {
    // FY2027 runs April 2026 .. March 2027; annual 120 000 points with a profile.
    let profile =
        SeasonalityProfile::from_percents([6, 6, 8, 8, 8, 8, 9, 9, 9, 9, 10, 10]).unwrap();
    let rows: Vec<MonthlyTarget> = distribute_annual(12_000_000, &profile, 2027, 4)
        .into_iter()
        .map(|(m, v)| target(Metric::ActivityScore, TargetOwner::Rep(7), m, v))
        .collect();
    assert_eq!(rows[0].month, ym(2026, 4));
    assert_eq!(rows[0].value, 720_000);
    let book = TargetBook::new(rows);
    let cal = WorkCalendar::default();
    let fy = Period::containing(PeriodKind::Year, d(2026, 11, 16), 4);
    assert_eq!(fy.label_fiscal(4), "FY2027");
    assert_eq!(
        book.target_for_period(Metric::ActivityScore, 7, None, &fy, &cal),
        Some(12_000_000)
    );
    // Q3 FY2027 = Oct–Dec 2026 = 9 + 9 + 9 %
    let q = Period::containing(PeriodKind::Quarter, d(2026, 11, 16), 4);
    assert_eq!(q.label_fiscal(4), "Q3 FY2027");
    assert_eq!(
        book.target_for_period(Metric::ActivityScore, 7, None, &q, &cal),
        Some(3_240_000)
    );
    // the scores of the four quarters add up to the year's score
    let rollups: Vec<DailyRollup> = fy
        .dates()
        .enumerate()
        .map(|(i, date)| {
            roll(
                7,
                date,
                if i % 2 == 0 { CALL } else { VISIT },
                (i % 5) as i64 + 1,
            )
        })
        .collect();
    let year_total = score_rep(7, &rollups, &types(), &weights(), &fy).total;
    let mut quarters = Points::ZERO;
    let mut p = Period::containing(PeriodKind::Quarter, fy.start, 4);
    for _ in 0..4 {
        quarters += score_rep(7, &rollups, &types(), &weights(), &p).total;
        p = p.next(4);
    }
    assert_eq!(quarters, year_total);
    assert_eq!(p.start, d(2027, 4, 1));
}

#[test]
fn leap_day_is_scored_and_counted() {
    let feb = Period::containing(PeriodKind::Month, d(2028, 2, 10), 1);
    let rollups = vec![
        roll(7, d(2028, 2, 29), VISIT, 2),
        roll(7, d(2028, 3, 1), VISIT, 2),
    ];
    assert_eq!(
        score_rep(7, &rollups, &types(), &weights(), &feb).total,
        Points(2_000)
    );
    let cal = WorkCalendar::default();
    // Tue 29 Feb 2028 is the 21st and last working day of the month
    assert_eq!(
        expected_to_date(2_100, &feb, d(2028, 2, 29), &cal, &[]),
        Some(2_100)
    );
    assert_eq!(
        expected_to_date(2_100, &feb, d(2028, 2, 28), &cal, &[]),
        Some(2_000)
    );
    let leap = Period::containing(PeriodKind::Day, d(2028, 2, 29), 1);
    assert_eq!(leap.previous(1).start, d(2028, 2, 28));
    // a fiscal year starting in March ends on the leap day
    let y = Period::containing(PeriodKind::Year, d(2028, 2, 29), 3);
    assert_eq!((y.start, y.end), (d(2027, 3, 1), d(2028, 2, 29)));
    assert_eq!(y.days(), 366);
    assert_eq!(y.label_fiscal(3), "FY2028");
}

#[test]
fn late_evening_activity_counts_on_its_local_date() {
    // 23:30 on 30 Nov in UTC-5 is 04:30 on 1 Dec UTC; the server hands us the local date.
    let rollups = vec![roll(7, d(2026, 11, 30), EMAIL, 1)];
    let local = score_rep(7, &rollups, &types(), &weights(), &nov());
    assert_eq!(local.total, Points(100));
    let dec = Period::containing(PeriodKind::Month, d(2026, 12, 1), 1);
    assert_eq!(
        score_rep(7, &rollups, &types(), &weights(), &dec).total,
        Points(0)
    );
}

#[test]
fn breakdown_text() {
    let rollups = vec![
        roll(7, d(2026, 11, 2), VISIT, 4),
        roll(7, d(2026, 11, 2), EMAIL, 3),
    ];
    let b = score_rep(7, &rollups, &types(), &weights(), &nov());
    assert_eq!(
        explain_breakdown(&b, &types(), &weights()),
        vec![
            "email × 3 × 1.00 (weight since 2020-01-01) = 3.00".to_string(),
            "visit × 3 × 10.00 (weight since 2020-01-01) = 30.00 (1 over daily cap)".to_string(),
            "Total = 33.00".to_string(),
        ]
    );
    let json = serde_json::to_string(&b).unwrap();
    assert_eq!(serde_json::from_str::<ScoreBreakdown>(&json).unwrap(), b);
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

mod props {
    use super::*;
    use proptest::prelude::*;

    fn arb_rollups() -> impl Strategy<Value = Vec<DailyRollup>> {
        // 4 reps, types 1, 2, 4 and an unknown 9, dates over Oct–Dec 2026, some duplicates
        prop::collection::vec(
            (
                1i64..=4,
                0i64..92,
                prop::sample::select(vec![CALL, EMAIL, VISIT, 9]),
                -2i64..40,
            ),
            0..120,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .map(|(rep, day, ty, units)| {
                    roll(rep, d(2026, 10, 1) + chrono::Duration::days(day), ty, units)
                })
                .collect()
        })
    }

    fn arb_weights() -> impl Strategy<Value = WeightTable> {
        prop::collection::vec(
            (
                prop::sample::select(vec![CALL, EMAIL, VISIT]),
                0i64..92,
                0i64..2_000,
            ),
            0..8,
        )
        .prop_map(|vs| {
            let mut all = vec![
                wv(1, CALL, d(2020, 1, 1), 300),
                wv(2, EMAIL, d(2020, 1, 1), 100),
            ];
            for (i, (ty, day, w)) in vs.into_iter().enumerate() {
                all.push(wv(
                    10 + i as i64,
                    ty,
                    d(2026, 10, 1) + chrono::Duration::days(day),
                    w,
                ));
            }
            WeightTable::new(all)
        })
    }

    fn arb_account_activity() -> impl Strategy<Value = Vec<AccountActivity>> {
        // 4 reps, 5 accounts, types 1, 2, 4 and an unknown 9, dates over Oct–Dec 2026
        prop::collection::vec(
            (
                1i64..=4,
                0i64..5,
                0i64..92,
                prop::sample::select(vec![CALL, EMAIL, VISIT, 9]),
                -1i64..6,
            ),
            0..120,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .map(
                    |(rep_id, account_id, day, activity_type_id, units)| AccountActivity {
                        account_id,
                        rep_id,
                        date: d(2026, 10, 1) + chrono::Duration::days(day),
                        activity_type_id,
                        units,
                    },
                )
                .collect()
        })
    }

    fn accounts_of(acts: &[AccountActivity]) -> Vec<i64> {
        acts.iter()
            .map(|a| a.account_id)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    proptest! {
        #[test]
        fn period_score_is_sum_of_day_scores(rollups in arb_rollups(), weights in arb_weights(), kind in prop::sample::select(vec![PeriodKind::Week, PeriodKind::Month, PeriodKind::Quarter])) {
            let period = Period::containing(kind, d(2026, 11, 12), 1);
            let all = activity_scores(&rollups, &types(), &weights, &period);
            for rep in 1..=4 {
                let total = score_rep(rep, &rollups, &types(), &weights, &period).total;
                let days: Points = period
                    .dates()
                    .map(|day| score_rep(rep, &rollups, &types(), &weights, &Period::containing(PeriodKind::Day, day, 1)).total)
                    .sum();
                prop_assert_eq!(total, days);
                prop_assert_eq!(all.get(&rep).copied().unwrap_or(Points::ZERO), total);
                let b = score_rep(rep, &rollups, &types(), &weights, &period);
                prop_assert_eq!(b.lines.iter().map(|l| l.points).sum::<Points>(), b.total);
                for l in &b.lines {
                    prop_assert_eq!(l.points, l.weight.times(l.counted_units));
                    prop_assert!(l.counted_units <= l.units);
                }
            }
        }

        #[test]
        fn team_coverage_is_the_sum_of_its_reps(acts in arb_account_activity(), weights in arb_weights()) {
            let period = Period::containing(PeriodKind::Quarter, d(2026, 11, 12), 1);
            let ts = types();
            let team = account_coverage(&acts, &accounts_of(&acts), &ts, &weights, &Population::Organisation, &period);
            let mut parts = Vec::new();
            for rep in 1..=4 {
                let mine: Vec<AccountActivity> = acts.iter().filter(|a| a.rep_id == rep).cloned().collect();
                parts.extend(account_coverage(&mine, &accounts_of(&mine), &ts, &weights, &Population::Rep(rep), &period));
            }
            prop_assert_eq!(merge_coverage(&parts), team);
        }

        #[test]
        fn the_tally_covers_each_rep_like_account_coverage(acts in arb_account_activity(), weights in arb_weights()) {
            // Fed entry by entry (as a large read is), per (rep, account): the same lines as
            // each rep's own coverage, in any order of the entries.
            let period = Period::containing(PeriodKind::Month, d(2026, 11, 12), 1);
            let ts = types();
            let mut tally = CoverageTally::new(&ts, &weights, &period);
            for a in acts.iter().rev() {
                tally.add(a);
            }
            let mut lines = tally.lines();
            lines.retain(|(_, c)| c.units > 0);
            lines.sort_by_key(|(rep, c)| (*rep, c.account_id));
            let mut expected = Vec::new();
            for rep in 1..=4 {
                let mine: Vec<AccountActivity> = acts.iter().filter(|a| a.rep_id == rep).cloned().collect();
                let mut cov = account_coverage(&mine, &accounts_of(&mine), &ts, &weights, &Population::Rep(rep), &period);
                cov.retain(|c| c.units > 0);
                cov.sort_by_key(|c| c.account_id);
                expected.extend(cov.into_iter().map(|c| (rep, c)));
            }
            prop_assert_eq!(lines, expected);
        }

        #[test]
        fn account_month_totals_cover_like_the_activities(acts in arb_account_activity(), weights in arb_weights()) {
            // The months the plan reads whole from their totals (dated their last day), the
            // other days activity by activity: the coverage of every account is the same.
            let period = Period::containing(PeriodKind::Quarter, d(2026, 11, 12), 1);
            let plan = read_plan(&period, &weights);
            let whole = |date: NaiveDate| plan.months.contains(&month_of(date));
            let totals = account_month_totals(
                acts.iter()
                    .filter(|a| whole(a.date))
                    .map(|a| (a.date, a.rep_id, a.account_id, a.activity_type_id, a.units)),
            );
            let mut read: Vec<AccountActivity> = totals
                .into_iter()
                .map(|((_, rep_id, account_id, activity_type_id), (units, date))| AccountActivity {
                    account_id,
                    rep_id,
                    date,
                    activity_type_id,
                    units,
                })
                .collect();
            read.extend(acts.iter().filter(|a| !whole(a.date)).cloned());
            let all = accounts_of(&acts);
            let ts = types();
            prop_assert_eq!(
                account_coverage(&read, &all, &ts, &weights, &Population::Organisation, &period),
                account_coverage(&acts, &all, &ts, &weights, &Population::Organisation, &period)
            );
        }

        #[test]
        fn team_scores_are_the_members_scores(rollups in arb_rollups(), weights in arb_weights(), team in prop::collection::btree_set(1i64..=5, 0..4)) {
            let period = Period::containing(PeriodKind::Month, d(2026, 11, 12), 1);
            let ts = types();
            let inputs = MetricInputs { rollups: &rollups, types: &ts, weights: &weights, deals: &[] };
            let all = activity_scores(&rollups, &ts, &weights, &period);
            let pop = Population::Team(team.clone());
            let team_scores = activity_scores_in(&inputs, &pop, &period);
            let expected: BTreeMap<i64, Points> = all.iter().filter(|(r, _)| team.contains(r)).map(|(r, p)| (*r, *p)).collect();
            prop_assert_eq!(&team_scores, &expected);
            prop_assert_eq!(population_activity_score(&inputs, &pop, &period), expected.values().sum::<Points>());
        }

        #[test]
        fn raising_a_weight_never_lowers_a_score(rollups in arb_rollups(), weights in arb_weights(), ty in prop::sample::select(vec![CALL, EMAIL, VISIT]), day in 0i64..92, bump in 0i64..500) {
            let period = Period::containing(PeriodKind::Quarter, d(2026, 11, 12), 1);
            let date = d(2026, 10, 1) + chrono::Duration::days(day);
            let current = weights.weight_value_on(ty, date);
            // a new version from `date` on (until the next existing version), heavier than
            // or equal to the weight it replaces on that date
            let raised = weights.with_version(wv(1_000, ty, date, current.0 + bump));
            let before = activity_scores(&rollups, &types(), &weights, &period);
            let after = activity_scores(&rollups, &types(), &raised, &period);
            for (rep, p) in before {
                prop_assert!(after[&rep] >= p);
            }
        }

        #[test]
        fn scaling_weights_up_never_lowers_a_score(rollups in arb_rollups(), weights in arb_weights(), extra in 0i64..300) {
            // every version of every type raised by `extra`
            let period = Period::containing(PeriodKind::Month, d(2026, 11, 12), 1);
            let raised = WeightTable::new(weights.versions().map(|v| WeightVersion { weight: Points(v.weight.0 + extra), ..v.clone() }).collect());
            let before = activity_scores(&rollups, &types(), &weights, &period);
            let after = activity_scores(&rollups, &types(), &raised, &period);
            for (rep, p) in before {
                prop_assert!(after[&rep] >= p);
            }
        }

        #[test]
        fn ranking_is_a_permutation_consistent_with_values(values in prop::collection::btree_map(0i64..500, -50i64..50, 0..60)) {
            let input: Vec<(i64, i64)> = values.iter().map(|(k, v)| (*k, *v)).collect();
            let ranked = rank_competition(&input);
            prop_assert_eq!(ranked.len(), input.len());
            let mut ids: Vec<i64> = ranked.iter().map(|e| e.id).collect();
            ids.sort();
            prop_assert_eq!(ids, values.keys().copied().collect::<Vec<_>>());
            for e in &ranked {
                prop_assert_eq!(e.value, values[&e.id]);
                let greater = values.values().filter(|v| **v > e.value).count() as i32;
                prop_assert_eq!(e.rank, greater + 1);
            }
            for w in ranked.windows(2) {
                prop_assert!(w[0].value >= w[1].value);
                prop_assert!(w[0].rank <= w[1].rank);
                if w[0].value == w[1].value { prop_assert!(w[0].id < w[1].id); }
            }
        }

        #[test]
        fn pace_is_monotone_in_actual(a in -1_000i64..1_000_000, extra in 0i64..1_000_000, target in 0i64..1_000_000, day in 0i64..30, absent in prop::option::of((0i64..30, 0i64..30))) {
            let nov = nov();
            let today = nov.start + chrono::Duration::days(day);
            let absences: Vec<Absence> = absent.map(|(s, len)| Absence { rep_id: 1, start: nov.start + chrono::Duration::days(s), end: nov.start + chrono::Duration::days(s + len) }).into_iter().collect();
            let expected = expected_to_date(target, &nov, today, &WorkCalendar::default(), &absences);
            if let Some(e) = expected { prop_assert!(0 <= e && e <= target); }
            let p1 = pace(a, expected);
            let p2 = pace(a + extra, expected);
            prop_assert_eq!(p1.is_some(), p2.is_some());
            if let (Some(p1), Some(p2)) = (p1, p2) { prop_assert!(p1 <= p2); }
            let a1 = attainment(a, target);
            let a2 = attainment(a + extra, target);
            if let (Some(a1), Some(a2)) = (a1, a2) { prop_assert!(a1 <= a2); }
        }

        #[test]
        fn composite_stays_within_zero_and_cap(lines in prop::collection::vec((-5i64..100, prop::option::of(-50_000i64..100_000)), 0..10), cap in 0i64..40_000) {
            let lines: Vec<(i64, Option<Percent>)> = lines.into_iter().map(|(w, p)| (w, p.map(Percent))).collect();
            if let Some(c) = composite_score(&lines, Percent(cap)) {
                prop_assert!(c.0 >= 0 && c.0 <= cap, "{:?} outside [0, {}]", c, cap);
            }
        }

        #[test]
        fn seasonality_months_sum_to_annual(annual in -10_000_000i64..1_000_000_000, raw in prop::collection::vec(0i64..1_000, 12), fy in 1u32..=12) {
            // normalise the random shares to exactly 10 000 basis points
            let bp: Vec<i64> = split_exact(10_000, &raw);
            let profile = SeasonalityProfile::new(bp.try_into().unwrap()).unwrap();
            let months = distribute_annual(annual, &profile, 2027, fy);
            prop_assert_eq!(months.iter().map(|m| m.1).sum::<i64>(), annual);
            prop_assert_eq!(months.len(), 12);
            prop_assert_eq!(months[0].0.month, fy);
        }

        #[test]
        fn prorated_targets_partition_exactly(t in 0i64..10_000_000, m in 1u32..=12, holidays in prop::collection::btree_set(0i64..31, 0..5)) {
            let first = d(2028, m, 1);
            let month = Period::containing(PeriodKind::Month, first, 1);
            let cal = WorkCalendar::new([true, true, true, true, true, false, false], holidays.into_iter().map(|h| first + chrono::Duration::days(h)));
            let book = TargetBook::new(vec![target(Metric::ActivityScore, TargetOwner::Rep(1), ym(2028, m), t)]);
            let by_days: i64 = month.dates().map(|day| book.target_for_period(Metric::ActivityScore, 1, None, &Period::containing(PeriodKind::Day, day, 1), &cal).unwrap()).sum();
            prop_assert_eq!(by_days, t);
            // weeks overlapping the month also partition it
            let mut w = Period::containing(PeriodKind::Week, month.start, 1);
            let mut by_weeks = 0;
            while w.start <= month.end {
                by_weeks += book.target_for_period(Metric::ActivityScore, 1, None, &w, &cal).unwrap();
                w = w.next(1);
            }
            prop_assert_eq!(by_weeks, t);
        }

        #[test]
        fn periods_tile_the_calendar(day in 0i64..3_000, kind in prop::sample::select(PeriodKind::ALL.to_vec()), fy in 1u32..=12) {
            let date = d(2024, 1, 1) + chrono::Duration::days(day);
            let p = Period::containing(kind, date, fy);
            prop_assert!(p.contains(date));
            let prev = p.previous(fy);
            prop_assert_eq!(prev.end.succ_opt().unwrap(), p.start);
            prop_assert_eq!(prev.next(fy), p);
            if !kind.is_rolling() {
                prop_assert_eq!(Period::containing(kind, p.start, fy), p);
                prop_assert_eq!(Period::containing(kind, p.end, fy), p);
            }
        }
    }
}
