//! Who did something, as the audit log records it: every management action
//! names its actor and the door it came through.

/// The way an action reached linkbroker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// `linkbroker …` on the server's command line.
    Cli,
    /// The admin web UI.
    Ui,
    /// `/admin/api/` with an API token.
    Api,
    /// `serve --dev` seeding its demo data.
    Dev,
    /// The end user's own page (`/account`).
    Account,
}

impl Door {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cli => "cli",
            Self::Ui => "ui",
            Self::Api => "api",
            Self::Dev => "dev",
            Self::Account => "account",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// Whoever runs the command line: the operator with database access.
    Operator(Door),
    /// A signed-in admin (UI) or an admin's API token (API).
    Admin { email: String, door: Door },
    /// A signed-in end user on their account page, acting on their own links.
    User { user_id: String },
}

impl Actor {
    pub fn cli() -> Self {
        Self::Operator(Door::Cli)
    }

    pub fn dev() -> Self {
        Self::Operator(Door::Dev)
    }

    pub fn admin_ui(email: &str) -> Self {
        Self::Admin { email: email.to_string(), door: Door::Ui }
    }

    pub fn admin_api(email: &str) -> Self {
        Self::Admin { email: email.to_string(), door: Door::Api }
    }

    pub fn user(user_id: &str) -> Self {
        Self::User { user_id: user_id.to_string() }
    }

    /// The audit log's `actor` column: `cli`, `dev`, `admin:<email>` or
    /// `user:<id>`.
    pub fn name(&self) -> String {
        match self {
            Self::Operator(door) => door.as_str().to_string(),
            Self::Admin { email, .. } => format!("admin:{email}"),
            Self::User { user_id } => format!("user:{user_id}"),
        }
    }

    pub fn door(&self) -> Door {
        match self {
            Self::Operator(door) | Self::Admin { door, .. } => *door,
            Self::User { .. } => Door::Account,
        }
    }

    /// The `revoked_reason` of a link this actor ends.
    pub fn revocation_reason(&self) -> &'static str {
        match self {
            Self::User { .. } => "user unlinked",
            _ => "admin",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_doors() {
        assert_eq!(Actor::cli().name(), "cli");
        assert_eq!(Actor::admin_api("a@b.example").name(), "admin:a@b.example");
        assert_eq!(Actor::admin_api("a@b.example").door(), Door::Api);
        assert_eq!(Actor::admin_ui("a@b.example").door().as_str(), "ui");
    }
}
