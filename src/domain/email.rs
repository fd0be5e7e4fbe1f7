//! Email addresses as local users are keyed: trimmed and lowercased.

use super::ParseError;

/// A normalized email address (trimmed, lowercased, plausibly shaped).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// RFC 5321 caps a forward path at 256 octets including the angle brackets.
const MAX_LEN: usize = 254;

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(ParseError::new("email is empty"));
        }
        if email.len() > MAX_LEN {
            return Err(ParseError::new("email is longer than 254 characters"));
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err(ParseError::new("email has no @"));
        };
        if local.is_empty() || domain.is_empty() || domain.starts_with('.') || domain.ends_with('.') {
            return Err(ParseError::new("email is not of the form name@domain"));
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ParseError::new("email contains whitespace or control characters"));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_case_and_surrounding_whitespace() {
        let e = Email::parse("  Ada.Lovelace@Example.COM \n").unwrap();
        assert_eq!(e.as_str(), "ada.lovelace@example.com");
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in ["", "   ", "no-at-sign", "@example.com", "ada@", "ada@.com", "a da@example.com", "ada@example.com."]
        {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn rejects_overlong_addresses() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }
}
