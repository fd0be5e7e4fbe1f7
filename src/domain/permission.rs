//! Permission names that admins grant and skills check (`rides:order`).

use super::ParseError;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Permission(String);

impl Permission {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let p = raw.trim();
        if p.is_empty() || p.len() > 100 {
            return Err(ParseError::new("a permission must be 1 to 100 characters"));
        }
        if !p.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c)) {
            return Err(ParseError::new(format!("permission {p:?} may only contain letters, digits and - _ . : /")));
        }
        Ok(Self(p.to_string()))
    }

    /// A comma-separated list such as `LINKBROKER_DEFAULT_PERMISSIONS`.
    pub fn parse_list(raw: &str) -> Result<Vec<Self>, ParseError> {
        raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(Self::parse).collect()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_comma_lists_and_skips_blanks() {
        let list = Permission::parse_list(" rides:order, ,lights.on ").unwrap();
        assert_eq!(list.iter().map(Permission::as_str).collect::<Vec<_>>(), ["rides:order", "lights.on"]);
    }

    #[test]
    fn rejects_spaces_and_markup() {
        assert!(Permission::parse("a b").is_err());
        assert!(Permission::parse("<script>").is_err());
        assert!(Permission::parse("").is_err());
    }
}
