use clap::Parser;

/// mimalloc instead of glibc's malloc: in the event path's profile glibc's
/// malloc and free took about a sixth of the server's samples
/// (BENCHMARKS.md, "Profile of the event path").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let cli = linkbroker::cli::Cli::parse();
    if let Err(e) = linkbroker::cli::run(cli).await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
