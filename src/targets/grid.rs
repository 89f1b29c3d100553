//! The grid's pure helpers: reading a block pasted from a spreadsheet, naming a cell.

use crate::scoring::YearMonth;

/// A tab-separated block as a spreadsheet puts it on the clipboard: rows by line (`\n` or
/// `\r\n`), cells by tab. The line break after the last row is not an extra row.
pub fn pasted_block(text: &str) -> Vec<Vec<String>> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.strip_suffix('\n').unwrap_or(&text);
    if text.is_empty() {
        return Vec::new();
    }
    text.split('\n')
        .map(|line| line.split('\t').map(|c| c.trim().to_string()).collect())
        .collect()
}

/// Whether a paste is a block (more than one cell) rather than text for one cell.
pub fn is_block(text: &str) -> bool {
    let t = text.trim_end_matches(['\r', '\n']);
    t.contains('\t') || t.contains('\n')
}

/// How a cell is named in messages: `"Ada Lovelace, March 2027"`.
pub fn cell_name(row: &str, month: YearMonth) -> String {
    format!("{row}, {}", month.label())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_blocks() {
        assert_eq!(
            pasted_block("1,200\t1 300\r\n5\t6\r\n"),
            vec![vec!["1,200", "1 300"], vec!["5", "6"]]
        );
        assert_eq!(pasted_block("7\n\n8"), vec![vec!["7"], vec![""], vec!["8"]]);
        assert!(pasted_block("").is_empty());
        assert!(is_block("1\t2"));
        assert!(is_block("1\n2\n"));
        assert!(!is_block("1,234\n"));
        assert_eq!(
            cell_name("Ada", YearMonth::new(2027, 3).unwrap()),
            "Ada, March 2027"
        );
    }
}
