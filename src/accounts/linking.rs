//! The linking rules, in the order of README "How linking works":
//! 1. a known (provider, subject) maps to its user, whatever the email now says;
//! 2. an unknown identity whose email matches a user with no identity of that
//!    provider claims that user (pre-provisioned users are claimed this way);
//! 3. an unknown identity whose email belongs to a user already linked to a
//!    *different* identity of the provider is refused and audited, never merged;
//! 4. otherwise a new user is created when signup is open.

use crate::domain::Email;
use crate::settings::{Settings, Signup};
use crate::store::{AuditEvent, Store, StoreError, UserRow};
use crate::upstream::Profile;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The provider did not share a usable email address.
    NoEmail,
    /// `signup = existing` and no admin pre-provisioned this email.
    NotProvisioned { email: String },
    /// The email's user is linked to another account of this provider.
    OtherIdentity { email: String },
}

pub async fn resolve_login(
    store: &Store,
    settings: &Settings,
    profile: &Profile,
    now: i64,
) -> Result<Result<UserRow, Refusal>, StoreError> {
    // Two first logins of one new person can race; the unique keys make one
    // of them fail with Conflict, and the second pass then sees its work.
    match resolve_once(store, settings, profile, now).await {
        Err(StoreError::Conflict(_)) => resolve_once(store, settings, profile, now).await,
        other => other,
    }
}

async fn resolve_once(
    store: &Store,
    settings: &Settings,
    profile: &Profile,
    now: i64,
) -> Result<Result<UserRow, Refusal>, StoreError> {
    let reported_email = profile.email.clone().unwrap_or_default();
    if let Some(identity) = store.identity(profile.provider, &profile.subject).await? {
        store.touch_identity(profile.provider, &profile.subject, &reported_email, &profile.name, now).await?;
        if let Some(user) = store.user_by_id(&identity.user_id).await? {
            return Ok(Ok(user));
        }
    }
    let Some(email) = profile.email.as_deref().and_then(|e| Email::parse(e).ok()) else {
        return Ok(Err(Refusal::NoEmail));
    };
    if let Some(user) = store.user_by_email(&email).await? {
        if let Some(other) = store.identity_of_user(&user.id, profile.provider).await? {
            store
                .audit(
                    AuditEvent {
                        actor: &profile.actor(),
                        action: "identity_conflict",
                        target: &user.id,
                        detail: serde_json::json!({ "provider": profile.provider, "linked_subject": other.subject, "email": email.as_str() }),
                    },
                    now,
                )
                .await?;
            tracing::warn!(user_id = %user.id, provider = profile.provider, "login refused: email belongs to a user linked to another upstream account");
            return Ok(Err(Refusal::OtherIdentity { email: email.to_string() }));
        }
        store.link_identity(&user.id, profile.provider, &profile.subject, email.as_str(), &profile.name, now).await?;
        store.set_user_name_if_empty(&user.id, &profile.name, now).await?;
        return Ok(Ok(store.user_by_id(&user.id).await?.unwrap_or(user)));
    }
    if settings.signup == Signup::Existing {
        return Ok(Err(Refusal::NotProvisioned { email: email.to_string() }));
    }
    let user = store.create_user(&email, &profile.name, &settings.default_permissions, false, now).await?;
    store.link_identity(&user.id, profile.provider, &profile.subject, email.as_str(), &profile.name, now).await?;
    store
        .audit(
            AuditEvent {
                actor: &profile.actor(),
                action: "user_created",
                target: &user.id,
                detail: serde_json::json!({ "via": "signup" }),
            },
            now,
        )
        .await?;
    Ok(Ok(user))
}
