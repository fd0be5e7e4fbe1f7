//! OAuth scopes (RFC 6749 §3.3) and sets of them.

use std::collections::BTreeSet;

use super::ParseError;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope(String);

impl Scope {
    /// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        if raw.is_empty() || raw.len() > 128 {
            return Err(ParseError::new("a scope must be 1 to 128 characters"));
        }
        if !raw.bytes().all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b)) {
            return Err(ParseError::new(format!("scope {raw:?} contains characters RFC 6749 §3.3 does not allow")));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ordered, duplicate-free set of scopes; displays space-separated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSet(BTreeSet<Scope>);

impl ScopeSet {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        if raw.len() > 1024 {
            return Err(ParseError::new("scope is too long"));
        }
        raw.split(' ').filter(|s| !s.is_empty()).map(Scope::parse).collect::<Result<BTreeSet<_>, _>>().map(Self)
    }

    pub fn from_scopes(scopes: impl IntoIterator<Item = Scope>) -> Self {
        Self(scopes.into_iter().collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn is_subset(&self, other: &ScopeSet) -> bool {
        self.0.is_subset(&other.0)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Scope> {
        self.0.iter()
    }

    pub fn union(&self, other: &ScopeSet) -> ScopeSet {
        Self(self.0.union(&other.0).cloned().collect())
    }

    /// The scopes in `self` that `allowed` lacks.
    pub fn not_in<'a>(&'a self, allowed: &ScopeSet) -> Vec<&'a str> {
        self.0.iter().filter(|s| !allowed.0.contains(*s)).map(Scope::as_str).collect()
    }
}

impl std::fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(s.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sorts_and_dedups() {
        let s = ScopeSet::parse("profile  alexa:all profile").unwrap();
        assert_eq!(s.to_string(), "alexa:all profile");
    }

    #[test]
    fn rejects_quotes_and_backslashes() {
        assert!(ScopeSet::parse("a\"b").is_err());
        assert!(ScopeSet::parse("a\\b").is_err());
    }

    #[test]
    fn subset_and_difference() {
        let allowed = ScopeSet::parse("profile email").unwrap();
        let asked = ScopeSet::parse("profile admin").unwrap();
        assert!(!asked.is_subset(&allowed));
        assert_eq!(asked.not_in(&allowed), ["admin"]);
    }
}
