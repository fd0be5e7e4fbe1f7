//! What Alexa says of a link made app-to-app (`GET .../enablement`), for
//! the account page: asked with the link's Amazon token (refreshed when it
//! is about to expire, stored back only over the token it came from), and
//! remembered for a minute per link so reloading the page does not call
//! Amazon each time.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::alexa::amazon::AmazonApi;
use crate::alexa::enablement::AlexaView;
use crate::oauth::AuthServer;
use crate::store::{AppTokens, EventCredentials, LinkDetail};

/// How long an answer is shown before Alexa is asked again.
const FRESH_FOR: i64 = 60;
/// An Amazon access token this close to its expiry is refreshed first.
const EXPIRY_MARGIN: i64 = 60;
/// Entries kept at most (older ones are dropped when it fills).
const CAPACITY: usize = 10_000;

/// What the page says of Alexa's view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlexaSays {
    Known(AlexaView),
    /// Amazon could not be asked (down, or the link's token is gone).
    Unknown,
}

#[derive(Default)]
pub struct ViewCache {
    answers: Mutex<HashMap<String, (AlexaSays, i64)>>,
}

impl ViewCache {
    pub async fn ask(&self, auth: &AuthServer, amazon: &AmazonApi, link: &LinkDetail, now: i64) -> AlexaSays {
        if let Some((says, at)) = self.answers.lock().unwrap_or_else(|p| p.into_inner()).get(&link.id) {
            if now - at < FRESH_FOR {
                return says.clone();
            }
        }
        let says = match ask_alexa(auth, amazon, link, now).await {
            Ok(view) => AlexaSays::Known(view),
            Err(why) => {
                tracing::info!(link = %link.id, why = %why, "Alexa could not be asked about a link");
                AlexaSays::Unknown
            }
        };
        let mut answers = self.answers.lock().unwrap_or_else(|p| p.into_inner());
        if answers.len() >= CAPACITY {
            answers.retain(|_, (_, at)| now - *at < FRESH_FOR);
        }
        answers.insert(link.id.clone(), (says.clone(), now));
        says
    }

    /// Forgets a link's answer (it was just made or ended here).
    pub fn forget(&self, link_id: &str) {
        self.answers.lock().unwrap_or_else(|p| p.into_inner()).remove(link_id);
    }
}

async fn ask_alexa(auth: &AuthServer, amazon: &AmazonApi, link: &LinkDetail, now: i64) -> Result<AlexaView, String> {
    let store = &auth.store;
    let app = store.alexa_app_link(&link.id).await.map_err(|e| e.to_string())?.ok_or("no Amazon token")?;
    let config = store.alexa_app(&link.client_id).await.map_err(|e| e.to_string())?.ok_or("app-to-app is off")?;
    let fresh = app.access_expires_at.is_some_and(|at| at > now + EXPIRY_MARGIN);
    let token = match (app.access_token.clone().filter(|_| fresh), &app.refresh_token, &app.refresh_stored) {
        (Some(token), _, _) => token,
        (None, Some(refresh), Some(stored)) => {
            let creds = EventCredentials {
                client_id: config.alexa_client_id.clone(),
                client_secret: config.alexa_client_secret.clone(),
            };
            let t = amazon.refresh(&creds, refresh).await.map_err(|e| e.to_string())?;
            let tokens = AppTokens {
                refresh_token: &t.refresh_token,
                access_token: &t.access_token,
                access_expires_at: now + t.expires_in,
            };
            store.refresh_alexa_app_link(&link.id, stored, &tokens).await.map_err(|e| e.to_string())?;
            t.access_token
        }
        _ => return Err("no Amazon token".into()),
    };
    amazon.skill_view(&app.endpoint, &token, &config.skill_id).await.map_err(|e| e.to_string())
}
