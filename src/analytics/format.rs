//! Numbers as a French or English reader writes them: `2 707` / `2,707`, `22 %` / `22%`,
//! `3,5` / `3.5`. Missing figures (a rate without a denominator) are an em dash.

use crate::i18n::Locale;

/// French groups thousands with a narrow no-break space.
const FR_THOUSANDS: char = '\u{202f}';

pub fn count(n: i64, locale: Locale) -> String {
    let digits = n.unsigned_abs().to_string();
    let separator = match locale {
        Locale::Fr => FR_THOUSANDS,
        Locale::En => ',',
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    if n < 0 { format!("−{out}") } else { out }
}

pub fn percent(ratio: Option<f64>, locale: Locale) -> String {
    match ratio {
        None => "—".to_owned(),
        Some(r) => {
            let p = rounded(r * 100.0, 0).replace('-', "−");
            match locale {
                Locale::Fr => format!("{p}\u{a0}%"),
                Locale::En => format!("{p}%"),
            }
        }
    }
}

pub fn decimal(value: Option<f64>, places: usize, locale: Locale) -> String {
    match value {
        None => "—".to_owned(),
        Some(v) => {
            let text = rounded(v, places).replace('-', "−");
            match locale {
                Locale::Fr => text.replace('.', ","),
                Locale::En => text,
            }
        }
    }
}

/// `v` with `places` decimals, without the minus of a value that rounds to zero ("-0.0").
fn rounded(v: f64, places: usize) -> String {
    let text = format!("{v:.places$}");
    match text.strip_prefix('-') {
        Some(digits) if digits.chars().all(|c| c == '0' || c == '.') => digits.to_owned(),
        _ => text,
    }
}

/// A signed difference ("+3 pts", "−0,4") against the tour's average.
pub fn difference(
    value: Option<f64>,
    reference: Option<f64>,
    places: usize,
    locale: Locale,
) -> String {
    match (value, reference) {
        (Some(v), Some(r)) => {
            let d = v - r;
            let shown = decimal(Some(d), places, locale);
            // No sign on a difference that rounds to nothing: "0,0", never "+0,0" or "−0,0".
            let is_zero = !shown.chars().any(|c| c.is_ascii_digit() && c != '0');
            let sign = if d > 0.0 && !is_zero { "+" } else { "" };
            format!("{sign}{shown}")
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_reader_s_language() {
        assert_eq!(count(2707, Locale::Fr), "2\u{202f}707");
        assert_eq!(count(2707, Locale::En), "2,707");
        assert_eq!(count(123, Locale::En), "123");
        assert_eq!(count(1_234_567, Locale::En), "1,234,567");
        assert_eq!(percent(Some(0.284), Locale::Fr), "28\u{a0}%");
        assert_eq!(percent(Some(0.284), Locale::En), "28%");
        assert_eq!(percent(None, Locale::En), "—");
        assert_eq!(decimal(Some(3.456), 1, Locale::Fr), "3,5");
        assert_eq!(decimal(Some(-12.0), 0, Locale::En), "−12");
        assert_eq!(difference(Some(2.0), Some(3.5), 1, Locale::Fr), "−1,5");
        assert_eq!(difference(Some(4.0), Some(3.5), 1, Locale::En), "+0.5");
        // Nothing that rounds to zero carries a sign.
        assert_eq!(decimal(Some(-0.04), 1, Locale::Fr), "0,0");
        assert_eq!(percent(Some(-0.001), Locale::En), "0%");
        assert_eq!(difference(Some(3.48), Some(3.5), 1, Locale::Fr), "0,0");
        assert_eq!(difference(Some(3.52), Some(3.5), 1, Locale::Fr), "0,0");
    }
}
