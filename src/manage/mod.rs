//! Management use cases: clients, users, links and admins. The command
//! line, the admin UI and the admin API all call these, so each rule (what
//! a valid client is, what erasing a user removes, which action is
//! audited) has one home. Each use case parses its input into domain
//! types, applies the rules, writes its own audit entry naming the actor
//! and its door, and clears this instance's caches when it changes what a
//! token resolves to (other instances follow within the 2 s bound of
//! `oauth::access_cache`).

mod admins;
mod alexa_app;
mod clients;
mod keys;
mod links;
mod users;

use std::sync::Arc;

pub use alexa_app::AlexaAppDraft;
pub use links::UserLinks;
pub use users::{NewUser, UserKey};

use crate::clock::Clock;
use crate::domain::{Actor, ParseError};
use crate::oauth::access_cache::{AccessCache, ClientCache, EventCache};
use crate::oauth::AuthServer;
use crate::store::{AuditEvent, Store, StoreError};

/// Why a use case refused or failed. Each door maps it once (`From`).
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    /// Bad input; the message says what to fix and is safe to show.
    #[error("{0}")]
    Invalid(String),
    /// No such user, client, link, identity, token or admin.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The record already exists (same email, same id).
    #[error("{0}")]
    Conflict(String),
    /// The database failed: a 503, never the caller's fault, and never
    /// shown beyond "try again".
    #[error(transparent)]
    Store(StoreError),
    /// Something on this server failed (not the input, not the database).
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for ManageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(_) => Self::Conflict("a record with that value already exists".into()),
            StoreError::InvalidValue(_) => Self::Invalid("the input holds characters that are not allowed".into()),
            other => Self::Store(other),
        }
    }
}

impl From<ParseError> for ManageError {
    fn from(e: ParseError) -> Self {
        Self::Invalid(e.0)
    }
}

/// The use cases over one store, with this process's caches when it serves.
#[derive(Clone)]
pub struct Manager {
    store: Store,
    clock: Clock,
    access_cache: Option<Arc<AccessCache>>,
    client_cache: Option<Arc<ClientCache>>,
    event_cache: Option<Arc<EventCache>>,
    outbox: Option<crate::outbox::Outbox>,
}

impl Manager {
    /// For the command line: no caches here (serving instances follow
    /// within the 2 s cache bound).
    pub fn offline(store: Store, clock: Clock) -> Self {
        Self { store, clock, access_cache: None, client_cache: None, event_cache: None, outbox: None }
    }

    /// For a serving instance: changes clear its caches at once.
    pub fn serving(auth: &AuthServer) -> Self {
        Self {
            store: auth.store.clone(),
            clock: auth.clock.clone(),
            access_cache: Some(auth.access_cache.clone()),
            client_cache: Some(auth.client_cache.clone()),
            event_cache: Some(auth.event_cache.clone()),
            outbox: Some(auth.outbox.clone()),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    fn now(&self) -> i64 {
        self.clock.now()
    }

    /// What a token resolves to may have changed (revocation, disabling,
    /// permissions), and with it which Amazon grant an event uses.
    fn forget_tokens(&self) {
        if let Some(c) = &self.access_cache {
            c.clear();
        }
        self.forget_event_targets();
    }

    /// Links ended: this instance's unlink worker looks at once (other
    /// instances within a second).
    fn wake_outbox(&self) {
        if let Some(o) = &self.outbox {
            o.wake();
        }
    }

    /// A client's secret or existence changed.
    fn forget_clients(&self) {
        if let Some(c) = &self.client_cache {
            c.clear();
        }
    }

    /// What an event needs changed (a client's event credentials).
    fn forget_event_targets(&self) {
        if let Some(c) = &self.event_cache {
            c.clear();
        }
    }

    /// The audit entry every use case writes: the actor, and the door in
    /// the detail (`"via"`).
    async fn record(
        &self,
        actor: &Actor,
        action: &str,
        target: &str,
        mut detail: serde_json::Value,
    ) -> Result<(), ManageError> {
        if let Some(map) = detail.as_object_mut() {
            map.insert("via".into(), actor.door().as_str().into());
        }
        let name = actor.name();
        let event = AuditEvent { actor: &name, action, target, detail };
        Ok(self.store.audit(event, self.now()).await?)
    }

    /// For changes that hand out a secret shown only once (a new client,
    /// a rotated secret, an API token): the change is made, so failing now
    /// would lose the secret (and after a rotation lock the client out).
    /// A failed audit write is logged loudly instead.
    async fn record_after_secret(&self, actor: &Actor, action: &str, target: &str, detail: serde_json::Value) {
        if let Err(e) = self.record(actor, action, target, detail).await {
            tracing::error!(error = %e, action, target, "the audit entry of a completed change could not be written");
        }
    }
}

/// A free-text name (person, client, token): trimmed, at most `max`
/// characters.
fn bounded_name(raw: &str, max: usize, what: &str) -> Result<String, ManageError> {
    let name = raw.trim();
    if name.chars().count() > max {
        return Err(ManageError::Invalid(format!("{what} has at most {max} characters")));
    }
    Ok(name.to_string())
}
