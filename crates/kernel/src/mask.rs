//! Masking of personal numbers for roles that do not need them in full.

/// `430102********1234`: region and last four kept.
pub fn id_number(s: &str) -> String {
    keep_ends(s, 6, 4)
}

/// `138****8000`.
pub fn phone(s: &str) -> String {
    keep_ends(s, 3, 4)
}

/// A person's name for the public: the surname kept, `张**`.
pub fn person_name(s: &str) -> String {
    keep_ends(s, 1, 0)
}

/// An organisation's name for the public: `湘江****公司`, enough to recognise, not to copy.
pub fn organisation_name(s: &str) -> String {
    let n = s.chars().count();
    if n <= 4 {
        keep_ends(s, 1, 0)
    } else {
        keep_ends(s, 2, 2)
    }
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
        assert_eq!(super::person_name("张三丰"), "张**");
        assert_eq!(super::person_name("李"), "*");
        assert_eq!(super::organisation_name("湘江软件有限公司"), "湘江****公司");
        assert_eq!(super::organisation_name("某单位"), "某**");
    }
}
