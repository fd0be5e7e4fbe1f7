//! Login with Amazon's regions and the hosts each one uses.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LwaRegion {
    Na,
    Eu,
    Fe,
}

impl LwaRegion {
    /// `na`, `eu` or `fe`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "na" => Some(Self::Na),
            "eu" => Some(Self::Eu),
            "fe" => Some(Self::Fe),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Na => "na",
            Self::Eu => "eu",
            Self::Fe => "fe",
        }
    }

    /// The Alexa event gateway of this region.
    pub fn event_gateway(self) -> &'static str {
        match self {
            Self::Na => "https://api.amazonalexa.com",
            Self::Eu => "https://api.eu.amazonalexa.com",
            Self::Fe => "https://api.fe.amazonalexa.com",
        }
    }

    pub(super) fn authorize_url(self) -> &'static str {
        match self {
            Self::Na => "https://www.amazon.com/ap/oa",
            Self::Eu => "https://eu.account.amazon.com/ap/oa",
            Self::Fe => "https://apac.account.amazon.com/ap/oa",
        }
    }

    pub(super) fn api_host(self) -> &'static str {
        match self {
            Self::Na => "https://api.amazon.com",
            Self::Eu => "https://api.amazon.co.uk",
            Self::Fe => "https://api.amazon.co.jp",
        }
    }
}
