use clap::Parser;
use tracing_subscriber::EnvFilter;

// Imports, exports and the demo allocate millions of short strings; mimalloc
// keeps that work a fraction of what the system allocator spends on it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = jiuye::cli::Cli::parse();
    let filter = EnvFilter::try_new(&cli.config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    match jiuye::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // Once, for the person at the terminal (the log goes to the same stderr).
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
