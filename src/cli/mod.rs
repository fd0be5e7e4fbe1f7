//! The `linkbroker` command line (see docs/admin.md, "Command line"). The
//! management commands (`client`, `user`, `admin`) parse their arguments and
//! call the use cases in `manage`, which validate and audit; this module
//! only prints.

mod manage;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::domain::{ConsentPreset, TokenFormat};
use crate::settings::Settings;
use crate::startup::{open_store, Application, Options};

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
    /// A user's links: list them, or revoke one
    #[command(subcommand)]
    Link(LinkCommand),
    /// Manage JWT signing keys
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Probe a deployment from the outside as Alexa and Google would; one
    /// line per check with the fix; exit code 0 only when nothing fails
    Doctor {
        /// The public base URL, e.g. https://link.example.com
        url: String,
        /// The skill's client id at linkbroker (checks redirect URLs)
        #[arg(long)]
        client_id: Option<String>,
        /// Read the client secret from stdin (checks the token endpoint)
        #[arg(long, requires = "client_id")]
        client_secret_stdin: bool,
        /// The Alexa vendor id (the end of the console's redirect URLs)
        #[arg(long, requires = "client_id")]
        vendor_id: Option<String>,
        /// A Google Cloud project id (checks Google's redirect URL)
        #[arg(long, requires = "client_id")]
        google_project: Option<String>,
        /// Extra trusted roots (PEM), for a private CA
        #[arg(long, value_name = "PEM")]
        ca_file: Option<PathBuf>,
        /// A scope the Alexa console's Account Linking page lists (repeat
        /// for several; default `profile`): checks Alexa's authorize request
        #[arg(long = "scope", value_name = "SCOPE", requires = "client_id")]
        scopes: Vec<String>,
        /// A machine-readable report
        #[arg(long)]
        json: bool,
    },
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
    /// Store (sealed) or remove the skill's "Send Alexa Events" credentials
    /// (Alexa developer console, Build > Permissions) for Smart Home
    /// AcceptGrant and events
    AlexaEvents {
        id: String,
        /// The "Send Alexa Events" client id
        #[arg(long, required_unless_present = "clear", conflicts_with = "clear")]
        alexa_client_id: Option<String>,
        /// Read the client secret from stdin
        #[arg(long, requires = "alexa_client_id")]
        alexa_client_secret_stdin: bool,
        /// Remove the credentials
        #[arg(long)]
        clear: bool,
    },
    /// Turn on (or `--clear` off) linking that starts from the vendor's
    /// website ("app-to-app"), with the skill's Alexa Client Id and Secret
    /// (Alexa developer console, Build > Account Linking); docs/app-to-app.md
    AlexaApp {
        id: String,
        /// The skill id (amzn1.ask.skill.…)
        #[arg(long, required_unless_present = "clear", conflicts_with = "clear")]
        skill_id: Option<String>,
        /// The stage users enable: `live`, or `development` (beta testers)
        #[arg(long, default_value = "live", value_parser = ["live", "development"])]
        stage: String,
        /// The "Alexa Client Id" of the skill's account-linking page
        #[arg(long, required_unless_present = "clear", conflicts_with = "clear")]
        alexa_client_id: Option<String>,
        /// Read the "Alexa Client Secret" from stdin
        #[arg(long, requires = "alexa_client_id")]
        alexa_client_secret_stdin: bool,
        /// Turn app-to-app linking off for this client
        #[arg(long)]
        clear: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum LinkCommand {
    /// A user's links: id, client, created, last used, how it was made
    /// (`alexa`, `app`, `google`), and whether Alexa was told of an unlink
    List {
        email: String,
        #[arg(long)]
        json: bool,
    },
    /// Revoke one link, exactly as the admin UI does (a link made
    /// app-to-app is unlinked at Alexa too)
    Revoke { link_id: String },
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
    /// `opaque` or `jwt`
    #[arg(long, default_value = "opaque")]
    pub token_format: TokenFormat,
    /// Accept PKCE `plain` from this client (S256 only otherwise; Alexa and
    /// Google send S256)
    #[arg(long)]
    pub allow_plain_pkce: bool,
    /// Consent page wording: `alexa`, or `google` (linked "to Google",
    /// "Agree and link", as Google's guidelines ask)
    #[arg(long, default_value = "alexa")]
    pub consent: ConsentPreset,
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
    /// Set a new password for an existing admin (read from stdin); their
    /// sessions end
    Password {
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
        /// The email is verified (a Google sign-in may then match this user
        /// by email; users made through Login with Amazon are not)
        #[arg(long)]
        email_verified: bool,
    },
    /// Mark a user's email verified (a Google sign-in may then match it)
    VerifyEmail {
        email: String,
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
    let mut settings = Settings::load(cli.config.as_deref())?;
    crate::telemetry::init(&settings.log, settings.log_format);
    // Every command opens a `serve --dev` database with the key file beside
    // it, as `serve --dev` does (which also makes it when missing).
    if !matches!(cli.command, Command::Serve { .. } | Command::Doctor { .. } | Command::MigrateData { .. }) {
        if let Some(file) = crate::startup::adopt_dev_key(&mut settings, false)? {
            eprintln!(
                "note: using the secrets key in {} (written by `serve --dev` beside its database)",
                file.display()
            );
        }
    }
    match cli.command {
        Command::Serve { dev } => serve(settings, dev).await,
        Command::Migrate => {
            open_store(&settings).await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::MigrateData { from, to } => crate::migrate_data::run(&from, &to).await,
        Command::Client(c) => manage::client(&manager(&settings).await?, c).await,
        Command::Admin(c) => manage::admin(&manager(&settings).await?, c).await,
        Command::User(c) => manage::user(&manager(&settings).await?, c).await,
        Command::Link(c) => manage::link(&manager(&settings).await?, c).await,
        Command::Doctor { url, client_id, client_secret_stdin, vendor_id, google_project, ca_file, scopes, json } => {
            let client_secret = client_secret_stdin.then(read_secret).transpose()?;
            let ca_pem = ca_file.map(std::fs::read).transpose()?;
            let target =
                crate::doctor::Target { url, client_id, client_secret, vendor_id, google_project, ca_pem, scopes };
            let checks = crate::doctor::run(&target).await?;
            if !crate::doctor::report(&checks, json) {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Keys(KeysCommand::Rotate) => {
            let kid = manager(&settings).await?.rotate_signing_key(&crate::domain::Actor::cli()).await?;
            println!("new signing key {kid}; older keys stay in the JWKS for verification");
            Ok(())
        }
        Command::Keys(KeysCommand::ResetTokenKey) => {
            manager(&settings).await?.reset_token_key(&crate::domain::Actor::cli()).await?;
            println!("new token key stored; restart every instance so they all use it");
            Ok(())
        }
    }
}

/// A secret from stdin: piped, or typed at a prompt (without echo) when
/// stdin is a terminal, so the command never waits silently.
fn read_secret() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password("Client secret (input hidden): ")?.trim().to_string());
    }
    let mut s = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
    Ok(s.trim().to_string())
}

async fn manager(settings: &Settings) -> anyhow::Result<crate::manage::Manager> {
    let store = open_store(settings).await?;
    store.check_keys_match().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(crate::manage::Manager::offline(store, crate::clock::Clock::default()))
}

async fn serve(settings: Settings, dev: bool) -> anyhow::Result<()> {
    let app = Application::build_patiently(settings, Options { dev, ..Default::default() }).await?;
    if dev {
        manage::seed_dev(&app.manager(), app.public_url()).await?;
    }
    app.run_until_stopped().await?;
    Ok(())
}
