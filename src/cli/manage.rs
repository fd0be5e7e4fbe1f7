//! The management commands: each parses its arguments, calls one use case
//! in `manage` (which validates and audits with the `cli` actor) and prints
//! the result.

use std::io::Read;

use anyhow::Context;

use super::{AdminCommand, AdminTokenCommand, ClientAdd, ClientCommand, LinkCommand, UserCommand};
use crate::domain::{Actor, ClientDraft, Secret};
use crate::manage::{AlexaAppDraft, ManageError, Manager, NewUser, UserKey};

impl ClientAdd {
    pub fn draft(&self) -> ClientDraft {
        ClientDraft {
            name: self.name.clone(),
            redirect_uris: self.redirect_uris.clone(),
            scopes: self.scopes.clone(),
            skip_consent: self.skip_consent,
            token_format: self.token_format,
            allow_plain_pkce: self.allow_plain_pkce,
            consent: self.consent,
        }
    }
}

/// Prints a fresh client secret, once.
fn print_secret(id: &str, secret: &Secret, json: bool, after: &str) {
    if json {
        println!("{}", serde_json::json!({ "client_id": id, "client_secret": secret.expose() }));
    } else {
        println!("client id:     {id}\nclient secret: {}\n({after})", secret.expose());
    }
}

pub async fn client(m: &Manager, cmd: ClientCommand) -> anyhow::Result<()> {
    let actor = Actor::cli();
    match cmd {
        ClientCommand::Add(args) => {
            let (id, secret) = m.create_client(&actor, &args.draft()).await?;
            print_secret(
                id.as_str(),
                &secret,
                args.json,
                "the secret is shown only now; store it in the Alexa console",
            );
            if !args.json {
                let scopes = m.client(id.as_str()).await?.scopes;
                println!("scopes:        {scopes} (list the same ones in the Alexa console's Account Linking page)");
            }
        }
        ClientCommand::List { json } => {
            let clients = m.clients().await?;
            if json {
                let list: Vec<_> = clients
                    .iter()
                    .map(|c| {
                        serde_json::json!({
                            "client_id": c.id, "name": c.name, "redirect_uris": c.redirect_uris,
                            "scopes": c.scopes.split_whitespace().collect::<Vec<_>>(),
                            "skip_consent": c.skip_consent, "token_format": c.token_format.as_str(),
                            "allow_plain_pkce": c.allow_plain_pkce, "alexa_events_client_id": c.alexa_events_client_id,
                            "consent": c.consent.as_str(),
                            "created_at": c.created_at,
                        })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(list));
            } else if clients.is_empty() {
                println!("no clients yet; add one with `linkbroker client add`");
            } else {
                for c in clients {
                    println!("{}  {}  [{}]  {}", c.id, c.name, c.token_format, c.redirect_uris.join(" "));
                }
            }
        }
        ClientCommand::Remove { id } => {
            m.delete_client(&actor, &id).await.map_err(|e| not_found(e, &format!("no client with id {id}")))?;
            println!("client {id} removed; its links are revoked");
        }
        ClientCommand::RotateSecret { id, json } => {
            let secret = m
                .rotate_client_secret(&actor, &id)
                .await
                .map_err(|e| not_found(e, &format!("no client with id {id}")))?;
            print_secret(&id, &secret, json, "update it in the Alexa console now; the old secret no longer works");
        }
        ClientCommand::AlexaEvents { id, alexa_client_id, alexa_client_secret_stdin, clear } => {
            if clear {
                m.set_alexa_events(&actor, &id, None)
                    .await
                    .map_err(|e| not_found(e, &format!("no client with id {id}")))?;
                println!(
                    "client {id}: Alexa event credentials removed; Smart Home events and AcceptGrant stop working"
                );
                return Ok(());
            }
            if !alexa_client_secret_stdin {
                anyhow::bail!("give the secret on stdin with --alexa-client-secret-stdin (never on the command line)");
            }
            let mut secret = String::new();
            std::io::stdin().read_to_string(&mut secret).context("reading the secret from stdin")?;
            let alexa_id = alexa_client_id.unwrap_or_default();
            m.set_alexa_events(&actor, &id, Some((&alexa_id, secret.trim())))
                .await
                .map_err(|e| not_found(e, &format!("no client with id {id}")))?;
            let how = if m.store().vault().seals() { "sealed" } else { "unsealed: LINKBROKER_SECRETS_KEY is not set" };
            println!("client {id}: Alexa event credentials stored ({how}; the secret is never shown again)");
        }
        ClientCommand::AlexaApp { id, skill_id, stage, alexa_client_id, alexa_client_secret_stdin, clear } => {
            let missing = |e| not_found(e, &format!("no client with id {id}"));
            if clear {
                m.set_alexa_app(&actor, &id, None).await.map_err(missing)?;
                println!("client {id}: app-to-app linking turned off (links made that way stay)");
                return Ok(());
            }
            if !alexa_client_secret_stdin {
                anyhow::bail!("give the Alexa Client Secret on stdin with --alexa-client-secret-stdin (never on the command line)");
            }
            let mut secret = String::new();
            std::io::stdin().read_to_string(&mut secret).context("reading the secret from stdin")?;
            let draft = AlexaAppDraft {
                skill_id: skill_id.unwrap_or_default(),
                stage: Some(stage.clone()),
                alexa_client_id: alexa_client_id.unwrap_or_default(),
                alexa_client_secret: secret.trim().to_string(),
            };
            m.set_alexa_app(&actor, &id, Some(&draft)).await.map_err(missing)?;
            let how = if m.store().vault().seals() { "sealed" } else { "unsealed: LINKBROKER_SECRETS_KEY is not set" };
            println!(
                "client {id}: app-to-app linking on for stage {stage} ({how}; the secret is never shown again).\n\
                 List {{PUBLIC_URL}}/account/alexa/callback under \"Your Redirect URLs\" in the console"
            );
        }
    }
    Ok(())
}

pub async fn link(m: &Manager, cmd: LinkCommand) -> anyhow::Result<()> {
    match cmd {
        LinkCommand::List { email, json } => {
            let found = m
                .links(&UserKey::Email(email.clone()))
                .await
                .map_err(|e| not_found(e, &format!("no user with email {email}")))?;
            if json {
                let unlink_of = |id: &str| found.unlinks.iter().find(|u| u.id == id);
                let list: Vec<_> = found
                    .links
                    .iter()
                    .map(|l| {
                        let unlink = unlink_of(&l.id).map(|u| {
                            serde_json::json!({ "state": u.outcome.as_deref().unwrap_or("queued"), "attempts": u.attempts,
                                "queued_at": u.created_at, "finished_at": u.finished_at, "last_error": u.last_error })
                        });
                        serde_json::json!({
                            "id": l.id, "client_id": l.client_id, "client_name": l.client_name, "scope": l.scope,
                            "created_at": l.created_at, "last_used_at": l.last_used_at, "made_by": l.made_by,
                            "revoked_at": l.revoked_at, "revoked_reason": l.revoked_reason,
                            "alexa_unlink": unlink,
                        })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(list));
            } else if found.links.is_empty() {
                println!("{} has no links", found.user.email);
            } else {
                for l in &found.links {
                    let state = match (&l.revoked_at, found.unlinks.iter().find(|u| u.id == l.id)) {
                        (None, _) => "live".to_string(),
                        (Some(_), Some(u)) => {
                            format!("revoked; Alexa unlink {}", u.outcome.as_deref().unwrap_or("queued"))
                        }
                        (Some(_), None) => "revoked".to_string(),
                    };
                    println!(
                        "{}  {}  made by {}  created {}  last used {}  {}",
                        l.id,
                        l.client_name,
                        l.made_by,
                        crate::admin::format_time(l.created_at),
                        crate::admin::format_time(l.last_used_at),
                        state
                    );
                }
            }
        }
        LinkCommand::Revoke { link_id } => {
            m.revoke_link_by_id(&Actor::cli(), &link_id)
                .await
                .map_err(|e| not_found(e, &format!("no live link with id {link_id}")))?;
            println!("link {link_id} revoked (a link made app-to-app is unlinked at Alexa by a running server)");
        }
    }
    Ok(())
}

/// A not-found error in the words of the command line.
fn not_found(e: ManageError, message: &str) -> anyhow::Error {
    match e {
        ManageError::NotFound(_) => anyhow::anyhow!("{message}"),
        other => other.into(),
    }
}

pub async fn admin(m: &Manager, cmd: AdminCommand) -> anyhow::Result<()> {
    match cmd {
        AdminCommand::Add { email, .. } => {
            m.add_admin(&Actor::cli(), &email, password_from_stdin()?).await?;
            eprintln!("admin {email} created");
        }
        AdminCommand::Password { email, .. } => {
            m.set_admin_password(&Actor::cli(), &email, password_from_stdin()?).await.map_err(|e| {
                not_found(e, &format!("no admin with email {email} (`linkbroker admin add` makes one)"))
            })?;
            eprintln!("new password set for {email}; their admin sessions were ended");
        }
        AdminCommand::Token(AdminTokenCommand::Create { email, name }) => {
            let (_, token) = m
                .create_api_token(&Actor::cli(), &email, &name)
                .await
                .map_err(|e| not_found(e, &format!("no admin with email {email}")))?;
            println!("{}", token.expose());
            eprintln!(
                "API token for {email} created; it is shown only now. Send it as `Authorization: Bearer <token>`."
            );
        }
    }
    Ok(())
}

pub async fn user(m: &Manager, cmd: UserCommand) -> anyhow::Result<()> {
    let actor = Actor::cli();
    let no_user = |email: &str| format!("no user with email {email}");
    match cmd {
        UserCommand::Add { email, name, permissions, email_verified } => {
            let new = NewUser { email, name: name.unwrap_or_default(), permissions, email_verified };
            let user = m.provision_user(&actor, &new).await?;
            println!("user {} ({}) created", user.email, user.id);
        }
        UserCommand::List { json } => {
            let users = m.store().list_users().await?;
            let mut rows = Vec::with_capacity(users.len());
            for u in &users {
                rows.push((u, m.store().user_permissions(&u.id).await?));
            }
            if json {
                let mut list = Vec::with_capacity(rows.len());
                for (u, p) in &rows {
                    // Sign-in identities (Login with Amazon, Google, dev) side by side.
                    let identities: Vec<_> = m
                        .store()
                        .user_identities(&u.id)
                        .await?
                        .into_iter()
                        .map(|i| serde_json::json!({ "provider": i.provider, "subject": i.subject, "email": i.email }))
                        .collect();
                    list.push(serde_json::json!({
                        "id": u.id, "email": u.email, "name": u.name, "disabled": u.disabled,
                        "email_verified": u.email_verified, "permissions": p, "identities": identities,
                        "created_at": u.created_at,
                    }));
                }
                println!("{}", serde_json::Value::Array(list));
            } else if rows.is_empty() {
                println!("no users yet");
            } else {
                for (u, p) in rows {
                    let flag = if u.disabled { " (disabled)" } else { "" };
                    println!("{}  {}{}  [{}]", u.email, u.name, flag, p.join(", "));
                }
            }
        }
        UserCommand::Grant { email, permission } => {
            let key = UserKey::Email(email.clone());
            let (user, _) =
                m.set_permission(&actor, &key, &permission, true).await.map_err(|e| not_found(e, &no_user(&email)))?;
            println!("granted {permission} to {}", user.email);
        }
        UserCommand::Revoke { email, permission } => {
            let key = UserKey::Email(email.clone());
            let (user, changed) =
                m.set_permission(&actor, &key, &permission, false).await.map_err(|e| not_found(e, &no_user(&email)))?;
            if !changed {
                anyhow::bail!("{} does not have permission {permission}", user.email);
            }
            println!("revoked {permission} from {}", user.email);
        }
        UserCommand::VerifyEmail { email } => {
            let key = UserKey::Email(email.clone());
            let (user, changed) = m.verify_email(&actor, &key).await.map_err(|e| not_found(e, &no_user(&email)))?;
            let was = if changed { "" } else { " (it already was)" };
            println!("{}: email verified{was}", user.email);
        }
        UserCommand::Disable { email } => set_disabled(m, &email, true).await?,
        UserCommand::Enable { email } => set_disabled(m, &email, false).await?,
    }
    Ok(())
}

async fn set_disabled(m: &Manager, email: &str, disabled: bool) -> anyhow::Result<()> {
    let key = UserKey::Email(email.to_string());
    let (user, _) = m
        .set_disabled(&Actor::cli(), &key, disabled)
        .await
        .map_err(|e| not_found(e, &format!("no user with email {email}")))?;
    println!("{} {}", user.email, if disabled { "disabled" } else { "enabled" });
    Ok(())
}

/// On an empty database, `serve --dev` creates a demo client and admin and
/// prints how to use them.
/// A password piped to stdin (one line; the line break is not part of it).
fn password_from_stdin() -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password).context("reading the password from stdin")?;
    Ok(password.trim_end_matches(['\r', '\n']).to_string())
}

/// `serve --dev`: on an empty database, seeds a demo client (redirect URI
/// `{PUBLIC_URL}/dev/callback`) and an admin, and prints their credentials;
/// on every later start, says again what it serves: the demo client, the
/// authorize URL and how to get into the admin.
pub async fn seed_dev(m: &Manager, public_url: &str) -> anyhow::Result<()> {
    tracing::warn!("DEVELOPMENT MODE: anyone can sign in as anyone through /dev/login; never expose this server");
    let redirect = format!("{public_url}/dev/callback");
    let clients = m.clients().await?;
    let (id, secret) = match clients.iter().find(|c| c.redirect_uris.contains(&redirect)) {
        Some(demo) => (demo.id.clone(), None),
        None if clients.is_empty() => {
            let draft = ClientDraft {
                name: "Demo skill".into(),
                redirect_uris: vec![redirect.clone()],
                scopes: vec!["profile".into()],
                ..Default::default()
            };
            let (id, secret) = m.create_client(&Actor::dev(), &draft).await?;
            (id.as_str().to_string(), Some(secret))
        }
        None => {
            println!(
                "\n  linkbroker development mode\n\n  No client here redirects to {redirect}: register one with\n  linkbroker client add --name Demo --redirect-uri {redirect}\n"
            );
            return Ok(());
        }
    };
    let admin = if m.store().count_admins().await? == 0 {
        let password = Secret::generate();
        m.add_admin(&Actor::dev(), "admin@example.com", password.expose().to_string()).await?;
        format!("admin@example.com / {}", password.expose())
    } else {
        "the admin made at the first start (admin@example.com), password as printed then;\n                  \
         lost it? printf '%s' 'A NEW PASSWORD' | linkbroker admin password --email admin@example.com --password-stdin"
            .to_string()
    };
    let secret = match &secret {
        Some(s) => s.expose().to_string(),
        None => format!("as printed at the first start; `linkbroker client rotate-secret {id}` issues a new one"),
    };
    let authorize = format!(
        "{public_url}/oauth/authorize?response_type=code&client_id={id}&redirect_uri={}&scope=profile&state=demo",
        percent_encoding::utf8_percent_encode(&redirect, percent_encoding::NON_ALPHANUMERIC)
    );
    println!(
        "\n  linkbroker development mode\n\n  demo client id: {id}\n  client secret:  {secret}\n  admin:          {public_url}/admin, {admin}\n\n  Open this URL to link an account:\n  {authorize}\n"
    );
    Ok(())
}
