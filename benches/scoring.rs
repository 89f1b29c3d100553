// Criterion benchmarks of the scoring engine: a month's leaderboard for 1,000 reps × 12
// activity types from daily rollups, and a full scorecard for one rep.

use std::hint::black_box;

use chrono::{Duration, NaiveDate};
use criterion::{criterion_group, criterion_main, Criterion};

use pacesetter::scoring::{
    activity_scores, build_scorecard, leaderboard, score_rep, weight_impact, weight_impact_on,
    ActivityTypeRule, BandThresholds, DailyRollup, Deal, DealStatus, ImpactInputs, Indicator,
    Metric, MetricInputs, Money, MonthlyTarget, Period, PeriodKind, Points, ScorecardContext,
    ScorecardMetric, ScorecardTemplate, TargetBook, TargetOwner, WeightTable, WeightVersion,
    WorkCalendar, YearMonth,
};

const REPS: i64 = 1_000;
const TYPES: i64 = 12;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn types() -> Vec<ActivityTypeRule> {
    (1..=TYPES)
        .map(|id| ActivityTypeRule {
            id,
            key: format!("type_{id}"),
            label: format!("Type {id}"),
            icon: String::new(),
            leading: id <= 8,
            daily_cap: if id % 3 == 0 { Some(10) } else { None },
            min_duration_seconds: None,
        })
        .collect()
}

/// Two versions per type: one old, one changed in the middle of the benchmarked month.
fn weights() -> WeightTable {
    let mut v = Vec::new();
    for ty in 1..=TYPES {
        v.push(WeightVersion {
            id: ty * 2,
            activity_type_id: ty,
            effective_from: day(2020, 1, 1),
            weight: Points::from_whole(ty % 10 + 1),
        });
        v.push(WeightVersion {
            id: ty * 2 + 1,
            activity_type_id: ty,
            effective_from: day(2026, 11, 16),
            weight: Points(150 * ty),
        });
    }
    WeightTable::new(v)
}

/// One row per rep × day × type for every day of November 2026: 1,000 × 30 × 12 = 360,000.
fn month_rollups(reps: i64) -> Vec<DailyRollup> {
    let mut v = Vec::with_capacity((reps * 30 * TYPES) as usize);
    for rep in 1..=reps {
        for d in 0..30 {
            let date = day(2026, 11, 1) + Duration::days(d);
            for ty in 1..=TYPES {
                v.push(DailyRollup {
                    rep_id: rep,
                    date,
                    activity_type_id: ty,
                    units: (rep * 7 + d * 3 + ty) % 15,
                    duration_seconds: ((rep + d + ty) % 40) * 60,
                });
            }
        }
    }
    v
}

fn deals(rep: i64) -> Vec<Deal> {
    (0..200)
        .map(|i| {
            let created = day(2026, 6, 1) + Duration::days(i % 150);
            let status = match i % 4 {
                0 => DealStatus::Open,
                1 | 2 => DealStatus::Won,
                _ => DealStatus::Lost,
            };
            let closed =
                (status != DealStatus::Open).then(|| created + Duration::days(10 + i % 60));
            Deal {
                id: i,
                rep_id: rep,
                amount: Money(100_000 + i * 1_234),
                status,
                stage: "proposal".into(),
                probability: i % 101,
                created_on: created,
                closed_on: closed,
                expected_close: Some(created + Duration::days(90)),
                lost_reason: (status == DealStatus::Lost)
                    .then(|| ["price", "timing", "competitor"][(i % 3) as usize].into()),
                new_customer: i % 5 == 0,
            }
        })
        .collect()
}

fn bench_leaderboard(c: &mut Criterion) {
    let types = types();
    let weights = weights();
    let rollups = month_rollups(REPS);
    let roster: Vec<i64> = (1..=REPS).collect();
    let period = Period::containing(PeriodKind::Month, day(2026, 11, 20), 1);
    c.bench_function(
        "leaderboard: month, 1000 reps x 12 types (360k rollups)",
        |b| {
            b.iter(|| {
                let scores = activity_scores(black_box(&rollups), &types, &weights, &period);
                black_box(leaderboard(&roster, &scores))
            })
        },
    );
    let rep_rows: Vec<DailyRollup> = rollups
        .iter()
        .filter(|r| r.rep_id == 500)
        .cloned()
        .collect();
    c.bench_function("score breakdown: one rep, month (360 rollups)", |b| {
        b.iter(|| {
            black_box(score_rep(
                500,
                black_box(&rep_rows),
                &types,
                &weights,
                &period,
            ))
        })
    });
}

/// The weights desk's impact preview: what the browser recomputes on every keystroke
/// (the month's board before and after one new weight version), on the same 360k rollups.
fn bench_weight_impact(c: &mut Criterion) {
    let inputs = ImpactInputs {
        period: Period::containing(PeriodKind::Month, day(2026, 11, 20), 1),
        roster: (1..=REPS).collect(),
        types: types(),
        weights: weights(),
        rollups: month_rollups(REPS),
    };
    c.bench_function(
        "weight impact preview, from scratch: month, 1000 reps x 12 types (360k rollups)",
        |b| {
            b.iter(|| {
                black_box(weight_impact(
                    black_box(&inputs),
                    3,
                    Points::from_whole(7),
                    day(2026, 11, 1),
                ))
            })
        },
    );
    // What the desk does per keystroke: the baseline is ranked once when the page loads.
    let baseline = inputs.baseline();
    c.bench_function(
        "weight impact preview, per keystroke: month, 1000 reps x 12 types (360k rollups)",
        |b| {
            b.iter(|| {
                black_box(weight_impact_on(
                    black_box(&inputs),
                    &baseline,
                    3,
                    Points::from_whole(7),
                    day(2026, 11, 1),
                ))
            })
        },
    );
}

fn bench_scorecard(c: &mut Criterion) {
    let types = types();
    let weights = weights();
    let rep = 500;
    let rollups: Vec<DailyRollup> = month_rollups(1)
        .into_iter()
        .map(|r| DailyRollup { rep_id: rep, ..r })
        .collect();
    let deals = deals(rep);
    let template = ScorecardTemplate::new(
        1,
        "Account Executive",
        vec![
            ScorecardMetric {
                metric: Metric::ActivityScore,
                indicator: Indicator::Leading,
                weight: 2,
            },
            ScorecardMetric {
                metric: Metric::ActivityCount {
                    activity_type_id: 1,
                },
                indicator: Indicator::Leading,
                weight: 1,
            },
            ScorecardMetric {
                metric: Metric::CallTime {
                    activity_type_id: 1,
                },
                indicator: Indicator::Leading,
                weight: 1,
            },
            ScorecardMetric {
                metric: Metric::WeightedPipeline,
                indicator: Indicator::Leading,
                weight: 1,
            },
            ScorecardMetric {
                metric: Metric::TurnoverWon,
                indicator: Indicator::Lagging,
                weight: 3,
            },
            ScorecardMetric {
                metric: Metric::WinRate,
                indicator: Indicator::Lagging,
                weight: 1,
            },
        ],
    );
    let mut rows = Vec::new();
    for sm in &template.metrics {
        for m in 1..=12 {
            let month = YearMonth::new(2026, m).expect("month");
            rows.push(MonthlyTarget {
                metric: sm.metric,
                owner: TargetOwner::Role(1),
                month,
                value: 1_000_000 + i64::from(month.month),
            });
            if month.month == 11 {
                rows.push(MonthlyTarget {
                    metric: sm.metric,
                    owner: TargetOwner::Rep(rep),
                    month,
                    value: 900_000,
                });
            }
        }
    }
    let targets = TargetBook::new(rows);
    let calendar = WorkCalendar::new(
        [true, true, true, true, true, false, false],
        [day(2026, 11, 11), day(2026, 12, 25)],
    );
    let thresholds = BandThresholds::default();
    let ctx = ScorecardContext {
        inputs: MetricInputs {
            rollups: &rollups,
            types: &types,
            weights: &weights,
            deals: &deals,
        },
        targets: &targets,
        calendar: &calendar,
        absences: &[],
        thresholds: &thresholds,
        today: day(2026, 11, 20),
    };
    for kind in [PeriodKind::Month, PeriodKind::Quarter] {
        let period = Period::containing(kind, ctx.today, 1);
        c.bench_function(&format!("scorecard: one rep, 6 metrics, {kind}"), |b| {
            b.iter(|| {
                black_box(build_scorecard(
                    rep,
                    Some(1),
                    &template,
                    black_box(&period),
                    &ctx,
                ))
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench_leaderboard, bench_weight_impact, bench_scorecard
}
criterion_main!(benches);
