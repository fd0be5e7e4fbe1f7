//! Admin sessions: a random cookie whose SHA-256 names a row in
//! `admin_sessions`, checked (and its idle window slid) on every request,
//! and the CSRF token every admin form carries, derived from the session.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;

use super::AdminError;
use crate::domain::{constant_time_eq, Secret, TokenHash};
use crate::store::SessionLimits;
use crate::web::AppState;

pub const SESSION_COOKIE: &str = "lb_admin";

/// 30 minutes idle, 12 hours at most: a forgotten laptop does not stay
/// signed in, a working day needs one sign-in.
pub const LIMITS: SessionLimits = SessionLimits { idle: 30 * 60, absolute: 12 * 3600 };

/// A signed-in admin, as handlers see it.
#[derive(Debug, Clone)]
pub struct AdminSession {
    pub admin_id: String,
    pub email: String,
    session_hash: String,
    /// Goes into every form as the hidden `csrf` field.
    pub csrf: String,
}

impl AdminSession {
    /// The live session of this request, or `AdminError::SignIn`.
    pub async fn require(req: &HttpRequest, state: &AppState) -> Result<Self, AdminError> {
        let hash = session_hash(req).ok_or(AdminError::SignIn)?;
        let row = state
            .auth
            .store
            .touch_admin_session(hash.as_str(), LIMITS, state.auth.clock.now())
            .await?
            .ok_or(AdminError::SignIn)?;
        let csrf = csrf_token(state, "admin-session", hash.as_str());
        Ok(Self { admin_id: row.admin_id, email: row.admin_email, session_hash: hash.as_str().to_string(), csrf })
    }

    /// Like `require`, and the form's `csrf` field must match (every POST).
    pub async fn require_form(req: &HttpRequest, state: &AppState, csrf: &str) -> Result<Self, AdminError> {
        let session = Self::require(req, state).await?;
        if !constant_time_eq(csrf.as_bytes(), session.csrf.as_bytes()) {
            return Err(AdminError::Csrf);
        }
        Ok(session)
    }

    pub fn hash(&self) -> &str {
        &self.session_hash
    }

    /// How the audit log names this admin.
    pub fn actor(&self) -> crate::domain::Actor {
        crate::domain::Actor::admin_ui(&self.email)
    }

    /// Records an action of this admin in the audit log.
    pub async fn audit(
        &self,
        state: &AppState,
        action: &str,
        target: &str,
        detail: serde_json::Value,
    ) -> Result<(), AdminError> {
        let event = crate::store::AuditEvent { actor: &self.actor().name(), action, target, detail };
        Ok(state.auth.store.audit(event, state.auth.clock.now()).await?)
    }
}

/// The hash of the session cookie, if the request has a well-formed one.
pub fn session_hash(req: &HttpRequest) -> Option<TokenHash> {
    req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()).filter(|v| v.len() == 43).map(|v| TokenHash::of(&v))
}

/// An HMAC of `value` under the server's CSRF key, bound to `purpose` so a
/// token for one form is useless for another.
pub fn csrf_token(state: &AppState, purpose: &str, value: &str) -> String {
    let tag = ring::hmac::sign(&state.auth.csrf_key, format!("{purpose}:{value}").as_bytes());
    hex::encode(tag.as_ref())
}

/// `SameSite=Strict` and path `/admin`: the cookie never rides along on a
/// request another site starts, and never reaches the OAuth endpoints.
pub fn admin_cookie(name: &'static str, secret: &Secret, secure: bool) -> Cookie<'static> {
    Cookie::build(name, secret.expose().to_string())
        .path("/admin")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish()
}

/// Expires `name` in the browser.
pub fn removal_cookie(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut c = admin_cookie(name, &Secret::new(""), secure);
    c.make_removal();
    c
}
