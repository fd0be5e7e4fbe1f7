//! The hot read: an access token's link (by primary key), its user and
//! permissions. The token itself was already proven by its MAC or
//! signature; this checks that its link still stands.
//!
//! Resolutions that arrive while others are being read are read together:
//! one statement for up to 32 links (`WHERE g.id IN (...)`), run by at most
//! a few batches at a time, so under load each token costs a share of a
//! round trip instead of one (a round trip, not the database's work, is
//! what a primary-key read costs). A lone resolution is read at once, in a
//! batch of one. The LEFT JOIN yields one row per permission (or one row
//! with NULL), which avoids the backend-specific string aggregation
//! functions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Backend, ResolvedToken, Store, StoreError};

/// The most links one statement reads. Batches are padded to the next
/// power of two (repeating an id), so a connection prepares at most six
/// statements for this read.
const MAX_BATCH: usize = 32;

/// A link row with its user and one permission (or NULL).
#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    client_id: String,
    user_id: String,
    email: String,
    name: String,
    scope: String,
    alexa_user_id: Option<String>,
    permission: Option<String>,
    revoked_at: Option<i64>,
    disabled: i64,
    generation: i64,
    access_min_generation: i64,
    access_revoked_at: Option<i64>,
}

/// What a link says about its access tokens.
#[derive(Clone)]
struct LinkState {
    client_id: String,
    user_id: String,
    email: String,
    name: String,
    scope: String,
    alexa_user_id: Option<String>,
    permissions: Vec<String>,
    live: bool,
    generation: i64,
    access_min_generation: i64,
    access_revoked_at: Option<i64>,
}

impl LinkState {
    /// Whether an access token of `generation` issued at `issued_at` still
    /// stands: a live link, a generation the link has reached, and not
    /// revoked by RFC 7009 (a generation below `access_min_generation` is
    /// dead, unless the token was issued after that revocation: a retried
    /// refresh answered again gets a working one).
    fn admits(&self, generation: i64, issued_at: i64) -> bool {
        self.live
            && generation <= self.generation
            && (generation >= self.access_min_generation
                || self.access_revoked_at.is_some_and(|revoked| issued_at > revoked))
    }
}

/// A batch's answer: each link read, by id (absent: no such link).
type Links = HashMap<String, LinkState>;

/// The SELECT for `n` links.
fn select_links(n: usize) -> String {
    let ids: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    format!(
        "SELECT g.id, g.client_id, u.id AS user_id, u.email, u.name, g.scope, g.alexa_user_id, p.permission, \
         g.revoked_at, u.disabled, g.generation, g.access_min_generation, g.access_revoked_at \
         FROM grants g JOIN users u ON u.id = g.user_id LEFT JOIN user_permissions p ON p.user_id = u.id \
         WHERE g.id IN ({}) ORDER BY g.id, p.permission",
        ids.join(", ")
    )
}

/// Why a batch failed, for every resolution in it (`StoreError` holds a
/// driver error, which cannot be copied): a transient fault stays one.
#[derive(Clone)]
enum BatchError {
    Unavailable(String),
    Other(String),
}

impl BatchError {
    fn of(e: &StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => Self::Unavailable(e.to_string()),
            other => Self::Other(other.to_string()),
        }
    }

    fn into_store_error(self) -> StoreError {
        match self {
            Self::Unavailable(m) => StoreError::Unavailable(sqlx::Error::Io(std::io::Error::other(m))),
            Self::Other(m) => StoreError::Other(sqlx::Error::Protocol(m)),
        }
    }
}

type Reply = tokio::sync::oneshot::Sender<Result<Option<LinkState>, BatchError>>;

#[derive(Default)]
struct Queue {
    waiting: Vec<(String, Reply)>,
    /// Batch readers running now.
    readers: usize,
}

/// Resolutions waiting to be read, and the readers that read them.
pub(super) struct LinkBatcher {
    queue: Mutex<Queue>,
    /// How many batches may be read at once (a share of the pool).
    max_readers: usize,
}

impl LinkBatcher {
    pub(super) fn new(backend: Backend) -> Arc<Self> {
        let max_readers = match backend {
            Backend::Sqlite => 2,
            Backend::Postgres => 4,
        };
        Arc::new(Self { queue: Mutex::default(), max_readers })
    }
}

impl Store {
    /// The link behind a verified access token of `generation`, if it is
    /// still live (see `LinkState::admits`); `issued_at` and `expires_at`
    /// come from the token.
    pub async fn resolve_link(
        &self,
        link_id: &str,
        generation: i64,
        issued_at: i64,
        expires_at: i64,
    ) -> Result<Option<ResolvedToken>, StoreError> {
        let state = self.read_link(link_id).await?;
        Ok(state.filter(|s| s.admits(generation, issued_at)).map(|s| ResolvedToken {
            grant_id: link_id.to_string(),
            client_id: s.client_id,
            user_id: s.user_id,
            email: s.email,
            name: s.name,
            scope: s.scope,
            issued_at,
            permissions: s.permissions,
            alexa_user_id: s.alexa_user_id,
            expires_at,
        }))
    }

    /// One link, read in the next batch.
    async fn read_link(&self, link_id: &str) -> Result<Option<LinkState>, StoreError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let start_reader = {
            let mut queue = self.links.queue.lock().unwrap_or_else(|p| p.into_inner());
            queue.waiting.push((link_id.to_string(), reply));
            let start = queue.readers < self.links.max_readers;
            if start {
                queue.readers += 1;
            }
            start
        };
        if start_reader {
            // A task of its own: a request that goes away (the client hung
            // up) must not take the others' batch with it.
            let store = self.clone();
            tokio::spawn(async move { store.read_batches().await });
        }
        match answer.await {
            Ok(result) => result.map_err(BatchError::into_store_error),
            // The reader is gone (the runtime is shutting down): read alone.
            Err(_) => Ok(self.read_links(&[link_id]).await?.remove(link_id)),
        }
    }

    /// Reads batches until nobody waits.
    async fn read_batches(&self) {
        loop {
            let batch: Vec<(String, Reply)> = {
                let mut queue = self.links.queue.lock().unwrap_or_else(|p| p.into_inner());
                if queue.waiting.is_empty() {
                    queue.readers -= 1;
                    return;
                }
                let n = queue.waiting.len().min(MAX_BATCH);
                queue.waiting.drain(..n).collect()
            };
            let ids: Vec<&str> = batch.iter().map(|(id, _)| id.as_str()).collect();
            match self.read_links(&ids).await {
                Ok(links) => {
                    for (id, reply) in batch {
                        let _ = reply.send(Ok(links.get(&id).cloned()));
                    }
                }
                Err(e) => {
                    let e = BatchError::of(&e);
                    for (_, reply) in batch {
                        let _ = reply.send(Err(e.clone()));
                    }
                }
            }
        }
    }

    /// The links `ids` name (repeats allowed), in one statement.
    async fn read_links(&self, ids: &[&str]) -> Result<Links, StoreError> {
        let size = ids.len().next_power_of_two().min(MAX_BATCH).max(ids.len());
        let sql = select_links(size);
        let mut query = sqlx::query_as::<_, Row>(&sql);
        for i in 0..size {
            query = query.bind(ids[i.min(ids.len() - 1)]);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut links = Links::new();
        for row in rows {
            let link = links.entry(row.id).or_insert_with(|| LinkState {
                client_id: row.client_id,
                user_id: row.user_id,
                email: row.email,
                name: row.name,
                scope: row.scope,
                alexa_user_id: row.alexa_user_id,
                permissions: Vec::new(),
                live: row.revoked_at.is_none() && row.disabled == 0,
                generation: row.generation,
                access_min_generation: row.access_min_generation,
                access_revoked_at: row.access_revoked_at,
            });
            // A padded id is matched once (IN is a set): no repeated rows.
            link.permissions.extend(row.permission);
        }
        Ok(links)
    }
}

#[cfg(test)]
mod tests {
    use super::select_links;

    #[test]
    fn a_batch_names_each_placeholder_once() {
        assert!(select_links(1).contains("WHERE g.id IN ($1) ORDER BY"));
        assert!(select_links(4).contains("IN ($1, $2, $3, $4)"));
    }
}
