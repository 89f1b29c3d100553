//! Versioned activity weights: which weight is in force for a type on a given local date.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::points::Points;

/// One weight of one activity type, in force from `effective_from` (org-local date,
/// inclusive) until the next version of the same type takes over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightVersion {
    pub id: i64,
    pub activity_type_id: i64,
    pub effective_from: NaiveDate,
    /// Points per counted unit.
    pub weight: Points,
}

/// All weight versions, indexed for "weight in force on date" look-ups.
///
/// When two versions of one type share an `effective_from`, the one with the higher `id`
/// (the later write) wins. Before a type's first version no weight is in force: such
/// activities score 0 and their explanation line has no version.
/// Serialized as the plain list of its versions.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "Vec<WeightVersion>", into = "Vec<WeightVersion>")]
pub struct WeightTable {
    /// Per type, sorted by (effective_from, id).
    by_type: BTreeMap<i64, Vec<WeightVersion>>,
}

impl From<Vec<WeightVersion>> for WeightTable {
    fn from(versions: Vec<WeightVersion>) -> Self {
        WeightTable::new(versions)
    }
}

impl From<WeightTable> for Vec<WeightVersion> {
    fn from(table: WeightTable) -> Self {
        table.by_type.into_values().flatten().collect()
    }
}

impl WeightTable {
    pub fn new(versions: Vec<WeightVersion>) -> Self {
        let mut by_type: BTreeMap<i64, Vec<WeightVersion>> = BTreeMap::new();
        for v in versions {
            by_type.entry(v.activity_type_id).or_default().push(v);
        }
        for list in by_type.values_mut() {
            list.sort_by_key(|v| (v.effective_from, v.id));
        }
        WeightTable { by_type }
    }

    /// The version in force for `activity_type_id` on `date`, if any.
    pub fn weight_on(&self, activity_type_id: i64, date: NaiveDate) -> Option<&WeightVersion> {
        let list = self.by_type.get(&activity_type_id)?;
        let n = list.partition_point(|v| v.effective_from <= date);
        n.checked_sub(1).map(|i| &list[i])
    }

    /// The weight value in force, 0 when none is.
    pub fn weight_value_on(&self, activity_type_id: i64, date: NaiveDate) -> Points {
        self.weight_on(activity_type_id, date)
            .map(|v| v.weight)
            .unwrap_or(Points::ZERO)
    }

    /// All versions of one type, oldest first (the weight history shown to admins).
    pub fn history(&self, activity_type_id: i64) -> &[WeightVersion] {
        self.by_type
            .get(&activity_type_id)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
    }

    /// Every version, grouped by type then date.
    pub fn versions(&self) -> impl Iterator<Item = &WeightVersion> {
        self.by_type.values().flatten()
    }

    /// A copy with `version` added: the table an impact preview scores with before the admin
    /// saves a weight change. History before `effective_from` is untouched.
    pub fn with_version(&self, version: WeightVersion) -> WeightTable {
        let mut all: Vec<WeightVersion> = self.versions().cloned().collect();
        all.push(version);
        WeightTable::new(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn v(id: i64, ty: i64, from: NaiveDate, w: i64) -> WeightVersion {
        WeightVersion {
            id,
            activity_type_id: ty,
            effective_from: from,
            weight: Points::from_whole(w),
        }
    }

    #[test]
    fn weight_in_force_on_date() {
        let t = WeightTable::new(vec![
            v(2, 1, d(2026, 11, 16), 4),
            v(1, 1, d(2026, 1, 1), 3),
            v(3, 2, d(2026, 1, 1), 1),
        ]);
        assert_eq!(t.weight_on(1, d(2025, 12, 31)), None);
        assert_eq!(t.weight_on(1, d(2026, 1, 1)).unwrap().id, 1);
        assert_eq!(t.weight_on(1, d(2026, 11, 15)).unwrap().id, 1);
        assert_eq!(t.weight_on(1, d(2026, 11, 16)).unwrap().id, 2);
        assert_eq!(t.weight_value_on(1, d(2027, 6, 1)), Points(400));
        assert_eq!(t.weight_on(99, d(2026, 6, 1)), None);
        assert_eq!(t.history(1).len(), 2);
        let json = serde_json::to_string(&t).unwrap();
        assert!(json.starts_with(
            r#"[{"id":1,"activity_type_id":1,"effective_from":"2026-01-01","weight":300}"#
        ));
        assert_eq!(serde_json::from_str::<WeightTable>(&json).unwrap(), t);
        let preview = t.with_version(v(9, 2, d(2026, 11, 1), 2));
        assert_eq!(preview.weight_value_on(2, d(2026, 10, 31)), Points(100));
        assert_eq!(preview.weight_value_on(2, d(2026, 11, 1)), Points(200));
    }

    #[test]
    fn same_day_versions_later_id_wins() {
        let t = WeightTable::new(vec![v(5, 1, d(2026, 3, 1), 7), v(4, 1, d(2026, 3, 1), 6)]);
        assert_eq!(t.weight_on(1, d(2026, 3, 1)).unwrap().id, 5);
    }
}
