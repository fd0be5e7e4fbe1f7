use clap::Parser;

#[tokio::main]
async fn main() {
    let cli = linkbroker::cli::Cli::parse();
    if let Err(e) = linkbroker::cli::run(cli).await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
