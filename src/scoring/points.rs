//! Fixed-point numbers of the scoring engine: points, money, percentages, and the one rounding rule.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Divides `numerator / denominator` rounding half away from zero, the single rounding rule
/// of the engine. Returns 0 when the denominator is 0 (callers check for "n/a" first) and
/// saturates to the `i64` range instead of overflowing.
pub fn div_round(numerator: i128, denominator: i128) -> i64 {
    if denominator == 0 {
        return 0;
    }
    let (n, d) = if denominator < 0 {
        (-numerator, -denominator)
    } else {
        (numerator, denominator)
    };
    let q = n / d;
    let r = n % d;
    let q = if 2 * r.abs() >= d { q + n.signum() } else { q };
    saturate(q)
}

pub(crate) fn saturate(v: i128) -> i64 {
    v.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// Formats `value` hundredths as `"1234.50"` / `"-0.05"`.
fn fmt_hundredths(value: i64, grouped: bool) -> String {
    let neg = value < 0;
    let abs = (value as i128).unsigned_abs();
    let whole = (abs / 100).to_string();
    let frac = abs % 100;
    let whole = if grouped {
        group_thousands(&whole)
    } else {
        whole
    };
    format!("{}{}.{:02}", if neg { "-" } else { "" }, whole, frac)
}

/// A count with its thousands grouped: `1,000`.
pub fn grouped_count(n: usize) -> String {
    group_thousands(&n.to_string())
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Parses `"12"`, `"12.5"`, `"-0.25"`, `"1,234.50"` into hundredths; at most two decimals.
fn parse_hundredths(s: &str) -> Result<i64, ParseAmountError> {
    let s = s.trim().replace(',', "");
    if s.is_empty() {
        return Err(ParseAmountError::Empty);
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w, f),
        None => (body, ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return Err(ParseAmountError::Invalid);
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(ParseAmountError::Invalid);
    }
    if frac.len() > 2 {
        return Err(ParseAmountError::TooManyDecimals);
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| ParseAmountError::OutOfRange)?
    };
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| ParseAmountError::Invalid)? * 10,
        _ => frac.parse().map_err(|_| ParseAmountError::Invalid)?,
    };
    let v = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .ok_or(ParseAmountError::OutOfRange)?;
    Ok(if neg { -v } else { v })
}

/// Why a points / money / percentage text could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParseAmountError {
    Empty,
    Invalid,
    TooManyDecimals,
    OutOfRange,
}

impl fmt::Display for ParseAmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseAmountError::Empty => "a number is required",
            ParseAmountError::Invalid => "not a number",
            ParseAmountError::TooManyDecimals => "at most two decimals",
            ParseAmountError::OutOfRange => "number too large",
        })
    }
}

impl std::error::Error for ParseAmountError {}

macro_rules! fixed_point {
    ($name:ident) => {
        impl $name {
            pub const ZERO: $name = $name(0);

            /// Whole units (`3` → 3.00).
            pub const fn from_whole(units: i64) -> $name {
                $name(units.saturating_mul(100))
            }

            /// The raw fixed-point value (hundredths / minor units).
            pub const fn raw(self) -> i64 {
                self.0
            }

            /// Plain text with exactly two decimals: `"1234.50"`, `"-3.00"`.
            pub fn display(&self) -> String {
                fmt_hundredths(self.0, false)
            }

            /// Thousands grouped with commas: `"1,234.50"`.
            pub fn display_grouped(&self) -> String {
                fmt_hundredths(self.0, true)
            }

            /// Rounded to a whole number (half away from zero): 12.50 → 13.
            pub fn round_whole(self) -> i64 {
                div_round(self.0 as i128, 100)
            }

            /// Reads `"12"`, `"12.5"`, `"1,234.50"`, `"-0.25"`.
            pub fn parse(s: &str) -> Result<$name, ParseAmountError> {
                parse_hundredths(s).map($name)
            }

            pub fn saturating_add(self, other: $name) -> $name {
                $name(self.0.saturating_add(other.0))
            }

            pub fn is_zero(self) -> bool {
                self.0 == 0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.display())
            }
        }

        impl FromStr for $name {
            type Err = ParseAmountError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s)
            }
        }

        impl Add for $name {
            type Output = $name;
            fn add(self, rhs: $name) -> $name {
                $name(self.0 + rhs.0)
            }
        }

        impl Sub for $name {
            type Output = $name;
            fn sub(self, rhs: $name) -> $name {
                $name(self.0 - rhs.0)
            }
        }

        impl Neg for $name {
            type Output = $name;
            fn neg(self) -> $name {
                $name(-self.0)
            }
        }

        impl AddAssign for $name {
            fn add_assign(&mut self, rhs: $name) {
                self.0 += rhs.0;
            }
        }

        impl SubAssign for $name {
            fn sub_assign(&mut self, rhs: $name) {
                self.0 -= rhs.0;
            }
        }

        impl Sum for $name {
            fn sum<I: Iterator<Item = $name>>(iter: I) -> $name {
                iter.fold($name(0), |a, b| a + b)
            }
        }

        impl<'a> Sum<&'a $name> for $name {
            fn sum<I: Iterator<Item = &'a $name>>(iter: I) -> $name {
                iter.fold($name(0), |a, b| a + *b)
            }
        }
    };
}

/// Points in hundredths of a point: `Points(1250)` is 12.50 points.
/// Serialized as the bare integer of hundredths.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Points(pub i64);

/// Money in the currency's minor unit (cents for EUR/USD): `Money(123450)` is 1234.50.
/// `display`/`parse` assume two decimals; currencies with another exponent format
/// `raw()` themselves. Serialized as the bare integer of minor units.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

fixed_point!(Points);
fixed_point!(Money);

impl Points {
    /// `units × weight`, exact (saturating at the `i64` range).
    pub fn times(self, units: i64) -> Points {
        Points(saturate(self.0 as i128 * units as i128))
    }
}

impl Money {
    /// `"EUR 12,500"`: grouped, cents shown only when there are any. The one way every
    /// page (phone, TV, team view) writes an amount.
    pub fn with_currency(self, currency: &str) -> String {
        let text = self.display_grouped();
        let text = text.strip_suffix(".00").unwrap_or(&text);
        format!("{currency} {text}")
    }

    /// `"12,500"`: [`Money::with_currency`] without the currency, for a table whose
    /// heading names it.
    pub fn plain(self) -> String {
        let text = self.display_grouped();
        text.strip_suffix(".00").unwrap_or(&text).to_string()
    }

    /// `amount × percent / 100`, rounded half away from zero (one rounding per call).
    pub fn percent_of(self, percent: i64) -> Money {
        Money(div_round(self.0 as i128 * percent as i128, 100))
    }
}

/// A percentage in basis points: `Percent(10_000)` is 100 %, `Percent(18_050)` is 180.5 %.
/// Uncapped and possibly above 100 %. Serialized as the bare integer of basis points.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Percent(pub i64);

impl Percent {
    pub const ZERO: Percent = Percent(0);
    pub const HUNDRED: Percent = Percent(10_000);

    /// Whole percent → basis points (`Percent::from_whole(120)` is 120 %).
    pub const fn from_whole(percent: i64) -> Percent {
        Percent(percent.saturating_mul(100))
    }

    /// `part / whole` in basis points, rounded half away from zero; `None` when `whole` is 0
    /// (the "n/a" of the design).
    pub fn ratio(part: i64, whole: i64) -> Option<Percent> {
        if whole == 0 {
            None
        } else {
            Some(Percent(div_round(part as i128 * 10_000, whole as i128)))
        }
    }

    /// Whole percent, rounded half away from zero (180.5 % → 181).
    pub fn round_whole(self) -> i64 {
        div_round(self.0 as i128, 100)
    }

    /// `"180%"` (whole percent).
    pub fn display(&self) -> String {
        format!("{}%", self.round_whole())
    }

    /// `"180.5%"` (one decimal).
    pub fn display_tenths(&self) -> String {
        let tenths = div_round(self.0 as i128, 10);
        let neg = tenths < 0;
        let a = (tenths as i128).unsigned_abs();
        format!("{}{}.{}%", if neg { "-" } else { "" }, a / 10, a % 10)
    }

    /// Reads `"120"`, `"87.5"`, `"87.25%"` as a percentage.
    pub fn parse(s: &str) -> Result<Percent, ParseAmountError> {
        parse_hundredths(s.trim().trim_end_matches('%')).map(Percent)
    }

    /// `value × self`, rounded half away from zero.
    pub fn apply(self, value: i64) -> i64 {
        div_round(value as i128 * self.0 as i128, 10_000)
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// Formats an optional percentage, `None` as `"n/a"`.
pub fn display_percent(p: Option<Percent>) -> String {
    match p {
        Some(p) => p.display(),
        None => "n/a".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_their_thousands() {
        let shown: Vec<String> = [0, 999, 1_000, 12_345, 1_234_567]
            .into_iter()
            .map(grouped_count)
            .collect();
        assert_eq!(shown, ["0", "999", "1,000", "12,345", "1,234,567"]);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round(5, 10), 1);
        assert_eq!(div_round(4, 10), 0);
        assert_eq!(div_round(-5, 10), -1);
        assert_eq!(div_round(-4, 10), 0);
        assert_eq!(div_round(15, -10), -2);
        assert_eq!(div_round(7, 0), 0);
        assert_eq!(div_round(2, 3), 1);
        assert_eq!(div_round(1, 3), 0);
    }

    #[test]
    fn points_display_and_parse() {
        assert_eq!(Points(123450).display(), "1234.50");
        assert_eq!(Points(123450).display_grouped(), "1,234.50");
        assert_eq!(Points(-5).display(), "-0.05");
        assert_eq!(Points(100_000_000).display_grouped(), "1,000,000.00");
        assert_eq!(Points::parse("12.5"), Ok(Points(1250)));
        assert_eq!(Points::parse("3"), Ok(Points(300)));
        assert_eq!(Points::parse("-0.25"), Ok(Points(-25)));
        assert_eq!(Points::parse(".5"), Ok(Points(50)));
        assert_eq!(Points::parse("1,234.56"), Ok(Points(123456)));
        assert_eq!(
            Points::parse("1.234"),
            Err(ParseAmountError::TooManyDecimals)
        );
        assert_eq!(Points::parse("abc"), Err(ParseAmountError::Invalid));
        assert_eq!(Points::parse(""), Err(ParseAmountError::Empty));
        assert_eq!(Money(1999).round_whole(), 20);
        assert_eq!(Money(1950).round_whole(), 20);
        assert_eq!(Money(1949).round_whole(), 19);
    }

    #[test]
    fn percent_ratio_display() {
        assert_eq!(Percent::ratio(9, 5), Some(Percent(18_000)));
        assert_eq!(Percent::ratio(1, 3), Some(Percent(3_333)));
        assert_eq!(Percent::ratio(2, 3), Some(Percent(6_667)));
        assert_eq!(Percent::ratio(5, 0), None);
        assert_eq!(Percent(18_050).display(), "181%");
        assert_eq!(Percent(18_050).display_tenths(), "180.5%");
        assert_eq!(display_percent(None), "n/a");
        assert_eq!(Percent::parse("87.5%"), Ok(Percent(8_750)));
        assert_eq!(Money(10_000).percent_of(35), Money(3_500));
        assert_eq!(Money(333).percent_of(50), Money(167));
    }

    #[test]
    fn serde_is_bare_integers() {
        assert_eq!(serde_json::to_string(&Points(1250)).unwrap(), "1250");
        assert_eq!(serde_json::from_str::<Money>("99").unwrap(), Money(99));
        assert_eq!(serde_json::to_string(&Percent(10_000)).unwrap(), "10000");
    }
}
