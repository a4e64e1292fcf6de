//! Masking of personal numbers for roles that do not need them in full.

/// `430102********1234`: region and last four kept.
pub fn id_number(s: &str) -> String {
    keep_ends(s, 6, 4)
}

/// `138****8000`.
pub fn phone(s: &str) -> String {
    keep_ends(s, 3, 4)
}

fn keep_ends(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    chars.iter().enumerate().map(|(i, c)| if i < head || i >= chars.len() - tail { *c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks() {
        assert_eq!(super::id_number("11010519491231002X"), "110105********002X");
        assert_eq!(super::phone("13800138000"), "138****8000");
        assert_eq!(super::phone("12"), "**");
    }
}
