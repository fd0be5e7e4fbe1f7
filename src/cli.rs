//! The `linkbroker` command line (SPEC.md "Command line"). Each command
//! parses its arguments into domain types, calls the store, and prints.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::{ClientId, Email, Permission, RedirectUri, ScopeSet, Secret};
use crate::settings::Settings;
use crate::startup::{open_store, Application, Options};
use crate::store::{NewClient, Store};

#[derive(Parser, Debug)]
#[command(name = "linkbroker", version, about = "OAuth 2.0 account linking for Alexa and Google Home")]
pub struct Cli {
    /// Settings file (default: ./linkbroker.toml when present)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (applies pending migrations first)
    Serve {
        /// Development identity provider instead of Login with Amazon; seeds a demo client and admin
        #[arg(long)]
        dev: bool,
    },
    /// Apply database migrations and exit
    Migrate,
    /// Copy every table into an empty database (e.g. SQLite to Postgres) and verify the counts
    MigrateData {
        /// Source database URL, e.g. sqlite:///var/lib/linkbroker/linkbroker.db
        #[arg(long)]
        from: String,
        /// Destination database URL, e.g. postgres://user:pass@host/linkbroker (must be empty)
        #[arg(long)]
        to: String,
    },
    /// Manage OAuth clients
    #[command(subcommand)]
    Client(ClientCommand),
    /// Manage admin accounts
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage users
    #[command(subcommand)]
    User(UserCommand),
    /// Manage JWT signing keys
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Subcommand, Debug)]
pub enum ClientCommand {
    /// Register a client; prints its id and secret (shown once)
    Add(ClientAdd),
    /// List clients
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a client and revoke its links
    Remove { id: String },
    /// Issue a new secret (the old one stops working at once)
    RotateSecret {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum TokenFormat {
    Opaque,
    Jwt,
}

#[derive(Args, Debug)]
pub struct ClientAdd {
    #[arg(long)]
    pub name: String,
    /// Exact redirect URI (repeatable), e.g. https://pitangui.amazon.com/api/skill/link/VENDORID
    #[arg(long = "redirect-uri", required = true)]
    pub redirect_uris: Vec<String>,
    /// Allowed scope (repeatable)
    #[arg(long = "scope")]
    pub scopes: Vec<String>,
    /// Do not ask users for consent
    #[arg(long)]
    pub skip_consent: bool,
    #[arg(long, value_enum, default_value = "opaque")]
    pub token_format: TokenFormat,
    /// Accept PKCE `plain` from this client (S256 only otherwise; Alexa and
    /// Google send S256)
    #[arg(long)]
    pub allow_plain_pkce: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an admin account; the password is read from stdin
    Add {
        #[arg(long)]
        email: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Admin API tokens for /admin/api/
    #[command(subcommand)]
    Token(AdminTokenCommand),
}

#[derive(Subcommand, Debug)]
pub enum AdminTokenCommand {
    /// Create an API token acting as this admin; printed once on stdout
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Pre-provision a user (for signup = existing)
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long = "permission")]
        permissions: Vec<String>,
    },
    /// List users
    List {
        #[arg(long)]
        json: bool,
    },
    Grant {
        email: String,
        permission: String,
    },
    Revoke {
        email: String,
        permission: String,
    },
    Disable {
        email: String,
    },
    Enable {
        email: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a new signing key; older keys stay published for verification
    Rotate,
    /// Replace a lost token key (server_secrets 'refresh_successor_key') with
    /// a new one. Only when no backup has it: access tokens issued before stop
    /// working until the next refresh; no link is revoked.
    ResetTokenKey,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    crate::telemetry::init(&settings.log, settings.log_format);
    match cli.command {
        Command::Serve { dev } => serve(settings, dev).await,
        Command::Migrate => {
            open_store(&settings).await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::MigrateData { from, to } => crate::migrate_data::run(&from, &to).await,
        Command::Client(c) => client(&open_store(&settings).await?, c).await,
        Command::Admin(AdminCommand::Add { email, .. }) => {
            let store = open_store(&settings).await?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).context("reading the password from stdin")?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            add_admin(&store, &email, password).await?;
            eprintln!("admin {email} created");
            Ok(())
        }
        Command::Admin(AdminCommand::Token(AdminTokenCommand::Create { email, name })) => {
            let store = open_store(&settings).await?;
            let token = crate::admin::create_api_token(&store, &email, &name).await?;
            println!("{}", token.expose());
            eprintln!(
                "API token for {email} created; it is shown only now. Send it as `Authorization: Bearer <token>`."
            );
            Ok(())
        }
        Command::User(c) => user(&open_store(&settings).await?, c).await,
        Command::Keys(KeysCommand::Rotate) => {
            let store = open_store(&settings).await?;
            let now = crate::clock::now();
            let key = crate::oauth::jwt::generate_key(now);
            store.insert_signing_key(&key).await?;
            store.retire_signing_keys_except(&key.kid, now).await?;
            println!("new signing key {}; older keys stay in the JWKS for verification", key.kid);
            Ok(())
        }
        Command::Keys(KeysCommand::ResetTokenKey) => {
            let store = open_store(&settings).await?;
            let value = crate::domain::Secret::generate();
            store.replace_server_secret(crate::startup::SUCCESSOR_KEY, value.expose(), crate::clock::now()).await?;
            println!("new token key stored; restart every instance so they all use it");
            Ok(())
        }
    }
}

async fn serve(settings: Settings, dev: bool) -> anyhow::Result<()> {
    let seed_credentials = dev;
    let app = Application::build_patiently(settings, Options { dev, ..Default::default() }).await?;
    if seed_credentials {
        seed_dev(app.store(), app.public_url()).await?;
    }
    app.run_until_stopped().await?;
    Ok(())
}

/// On an empty database, `--dev` creates a demo client and admin and prints
/// how to use them.
async fn seed_dev(store: &Store, public_url: &str) -> anyhow::Result<()> {
    tracing::warn!("DEVELOPMENT MODE: anyone can sign in as anyone through /dev/login; never expose this server");
    if store.count_clients().await? > 0 {
        return Ok(());
    }
    let redirect = format!("{public_url}/dev/callback");
    let (id, secret) = add_client(
        store,
        &ClientAdd {
            name: "Demo skill".into(),
            redirect_uris: vec![redirect.clone()],
            scopes: vec!["profile".into()],
            skip_consent: false,
            token_format: TokenFormat::Opaque,
            allow_plain_pkce: false,
            json: false,
        },
    )
    .await?;
    let admin_password = Secret::generate();
    if store.count_admins().await? == 0 {
        add_admin(store, "admin@example.com", admin_password.expose().to_string()).await?;
    }
    let authorize = format!(
        "{public_url}/oauth/authorize?response_type=code&client_id={id}&redirect_uri={}&scope=profile&state=demo",
        percent_encoding::utf8_percent_encode(&redirect, percent_encoding::NON_ALPHANUMERIC)
    );
    println!(
        "\n  linkbroker development mode — seeded a demo client and admin\n\n  client id:      {id}\n  client secret:  {}\n  admin:          admin@example.com / {}\n\n  Open this URL to link an account:\n  {authorize}\n",
        secret.expose(),
        admin_password.expose()
    );
    Ok(())
}

pub async fn add_client(store: &Store, args: &ClientAdd) -> anyhow::Result<(ClientId, Secret)> {
    let name = args.name.trim();
    if name.is_empty() || name.len() > 200 {
        bail!("--name must be 1 to 200 characters");
    }
    let uris = args
        .redirect_uris
        .iter()
        .map(|u| {
            RedirectUri::parse(u)
                .map(|u| u.as_str().to_string())
                .map_err(|e| anyhow::anyhow!("--redirect-uri {u}: {e}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let scopes = ScopeSet::parse(&args.scopes.join(" ")).map_err(|e| anyhow::anyhow!("--scope: {e}"))?;
    let id = ClientId::generate();
    let secret = Secret::generate();
    store
        .create_client(
            NewClient {
                id: id.as_str(),
                name,
                secret_hash: secret.hash().as_str(),
                scopes: &scopes.to_string(),
                skip_consent: args.skip_consent,
                token_format: if args.token_format == TokenFormat::Jwt { "jwt" } else { "opaque" },
                redirect_uris: &uris,
                allow_plain_pkce: args.allow_plain_pkce,
            },
            crate::clock::now(),
        )
        .await?;
    Ok((id, secret))
}

pub async fn add_admin(store: &Store, email: &str, password: String) -> anyhow::Result<()> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    if password.chars().count() < 12 {
        bail!("the admin password must be at least 12 characters");
    }
    let hash = crate::accounts::password::hash(password).await?;
    store.create_admin(&email, &hash, crate::clock::now()).await.map_err(|e| match e {
        crate::store::StoreError::Conflict(_) => anyhow::anyhow!("an admin with email {email} already exists"),
        other => other.into(),
    })
}

async fn client(store: &Store, cmd: ClientCommand) -> anyhow::Result<()> {
    match cmd {
        ClientCommand::Add(args) => {
            let (id, secret) = add_client(store, &args).await?;
            if args.json {
                println!("{}", serde_json::json!({ "client_id": id.as_str(), "client_secret": secret.expose() }));
            } else {
                println!("client id:     {id}\nclient secret: {}\n(the secret is shown only now; store it in the Alexa console)", secret.expose());
            }
        }
        ClientCommand::List { json } => {
            let clients = store.list_clients().await?;
            if json {
                let list: Vec<_> = clients
                    .iter()
                    .map(|c| {
                        serde_json::json!({
                            "client_id": c.id, "name": c.name, "redirect_uris": c.redirect_uris,
                            "scopes": c.scopes.split_whitespace().collect::<Vec<_>>(),
                            "skip_consent": c.skip_consent, "token_format": c.token_format, "created_at": c.created_at,
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
            if !store.delete_client(&id).await? {
                bail!("no client with id {id}");
            }
            println!("client {id} removed; its links are revoked");
        }
        ClientCommand::RotateSecret { id, json } => {
            let secret = Secret::generate();
            if !store.set_client_secret_hash(&id, secret.hash().as_str(), crate::clock::now()).await? {
                bail!("no client with id {id}");
            }
            if json {
                println!("{}", serde_json::json!({ "client_id": id, "client_secret": secret.expose() }));
            } else {
                println!("client id:     {id}\nclient secret: {}\n(update it in the Alexa console now; the old secret no longer works)", secret.expose());
            }
        }
    }
    Ok(())
}

async fn find_user(store: &Store, email: &str) -> anyhow::Result<crate::store::UserRow> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("email: {e}"))?;
    store.user_by_email(&email).await?.ok_or_else(|| anyhow::anyhow!("no user with email {email}"))
}

fn permission(raw: &str) -> anyhow::Result<Permission> {
    Permission::parse(raw).map_err(|e| anyhow::anyhow!("permission: {e}"))
}

async fn user(store: &Store, cmd: UserCommand) -> anyhow::Result<()> {
    let now = crate::clock::now();
    match cmd {
        UserCommand::Add { email, name, permissions } => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
            let perms = permissions.iter().map(|p| permission(p)).collect::<anyhow::Result<Vec<_>>>()?;
            let name = name.unwrap_or_default();
            let user = store.create_user(&email, name.trim(), &perms, now).await.map_err(|e| match e {
                crate::store::StoreError::Conflict(_) => anyhow::anyhow!("a user with email {email} already exists"),
                other => other.into(),
            })?;
            println!("user {} ({}) created", user.email, user.id);
        }
        UserCommand::List { json } => {
            let users = store.list_users().await?;
            let mut rows = Vec::with_capacity(users.len());
            for u in &users {
                rows.push((u, store.user_permissions(&u.id).await?));
            }
            if json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|(u, p)| {
                        serde_json::json!({ "id": u.id, "email": u.email, "name": u.name, "disabled": u.is_disabled(), "permissions": p, "created_at": u.created_at })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(list));
            } else if rows.is_empty() {
                println!("no users yet");
            } else {
                for (u, p) in rows {
                    let flag = if u.is_disabled() { " (disabled)" } else { "" };
                    println!("{}  {}{}  [{}]", u.email, u.name, flag, p.join(", "));
                }
            }
        }
        UserCommand::Grant { email, permission: p } => {
            let user = find_user(store, &email).await?;
            store.grant_permission(&user.id, &permission(&p)?, now).await?;
            println!("granted {p} to {}", user.email);
        }
        UserCommand::Revoke { email, permission: p } => {
            let user = find_user(store, &email).await?;
            if !store.revoke_permission(&user.id, &permission(&p)?).await? {
                bail!("{} does not have permission {p}", user.email);
            }
            println!("revoked {p} from {}", user.email);
        }
        UserCommand::Disable { email } => set_disabled(store, &email, true, now).await?,
        UserCommand::Enable { email } => set_disabled(store, &email, false, now).await?,
    }
    Ok(())
}

async fn set_disabled(store: &Store, email: &str, disabled: bool, now: i64) -> anyhow::Result<()> {
    let user = find_user(store, email).await?;
    store.set_user_disabled(&user.id, disabled, now).await?;
    let action = if disabled { "user_disabled" } else { "user_enabled" };
    store
        .audit(
            crate::store::AuditEvent {
                actor: "cli",
                action,
                target: &user.id,
                detail: serde_json::json!({ "email": user.email }),
            },
            now,
        )
        .await?;
    println!("{} {}", user.email, if disabled { "disabled" } else { "enabled" });
    Ok(())
}
