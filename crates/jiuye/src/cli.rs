//! The command line: `jiuye` (serve), `migrate`, `demo`, `user add`, `user token`, `audit verify`, `backup`, `restore`.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use kernel::audit::{self, AuditActor, ChainStatus, Change};
use kernel::auth::{password, Role};
use kernel::config::Config;
use kernel::sheet::Input;
use kernel::{time, Db};

use crate::demo::{self, DemoOptions};

#[derive(Parser, Debug)]
#[command(name = "jiuye", version, about = "高校毕业生就业创业工作平台 / graduate employment platform")]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the web server (the default).
    Serve {
        /// Generate the demo province (and its accounts with the published
        /// password) into an empty database, whatever the database.
        #[arg(long, conflicts_with = "no_demo")]
        demo: bool,
        /// Not even on the first start of a new data folder.
        #[arg(long)]
        no_demo: bool,
    },
    /// Create or update the database schema and seed reference data.
    Migrate,
    /// Rebuild the job search index of the data folder from the database (with
    /// the server stopped: a running server holds its index).
    Reindex,
    /// Generate the Hunan 2022届 demo data into an empty database.
    Demo {
        #[arg(long, default_value_t = 2022)]
        seed: u64,
        #[arg(long, default_value_t = 450_000)]
        graduates: usize,
        #[arg(long, default_value_t = 20_000)]
        employers: usize,
        /// Leave the cohort's destinations unrecorded.
        #[arg(long)]
        no_destinations: bool,
        /// Job postings of the demo employers (0: no recruitment data).
        #[arg(long, default_value_t = 60_000)]
        postings: usize,
        /// 省份数：1 为湖南一省（默认）；2–31 另加毕业生最多的其他省份及其合成院校，
        /// --graduates 按 data/provinces.csv 的权重分到各省（31 省、12000000 人约 3000 所院校）。
        /// Provinces: 1 is Hunan alone (the default); 2–31 add the provinces with the most graduates
        /// and synthetic institutions, --graduates shared by the weights of data/provinces.csv
        /// (31 provinces and 12,000,000 graduates make about 3,000 institutions).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=31))]
        provinces: u16,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import data files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Export statistics tables, with the same numbers as the pages.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Back up the SQLite database and the uploaded files into one archive,
    /// consistent while the server runs (PostgreSQL: docs/backup.md).
    Backup { file: std::path::PathBuf },
    /// Restore a backup into a data folder whose database is absent or empty
    /// (server stopped), run the migrations forward and verify the audit log.
    Restore {
        file: std::path::PathBuf,
        /// Replace a database that holds data (what was there is moved aside, not deleted).
        #[arg(long)]
        force: bool,
    },
    /// Verify employment data (统计核查).
    Verify {
        #[command(subcommand)]
        command: VerifyCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum VerifyCommand {
    /// Run the anomaly scan: every rule with the cohort's thresholds; a list of signals.
    Scan {
        #[arg(long, default_value_t = 2022)]
        cohort: i64,
        /// The statistic day (China time); today's records when left out.
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        /// json, csv or xlsx.
        #[arg(long, default_value = "json")]
        format: String,
        /// Output file; standard output for JSON and CSV when left out.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add an account, e.g. the first province administrator of a real deployment.
    Add {
        username: String,
        #[arg(long, default_value = "province_admin")]
        role: String,
        #[arg(long)]
        name: Option<String>,
        /// 院校代码, for university staff.
        #[arg(long)]
        institution: Option<String>,
        /// The password; read from JIUYE_NEW_PASSWORD when not given.
        #[arg(long, env = "JIUYE_NEW_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Issue an API token (接口令牌) acting as an account, as /admin/tokens does; printed once
    /// on standard output, for scripts (CI's Schemathesis run) and a deployment's first client.
    Token {
        username: String,
        /// What the token is for (1 to 60 characters).
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import a cohort's roster (生源信息) from .xlsx, .xls or .csv: all rows or none.
    Roster {
        file: std::path::PathBuf,
        /// 院校代码 of the institution the roster belongs to.
        #[arg(long)]
        institution: String,
        #[arg(long, default_value_t = 2022)]
        cohort: i64,
        /// Where to write the error report (.xlsx) when rows are refused.
        #[arg(long)]
        report: Option<std::path::PathBuf>,
    },
    /// Record destinations (毕业去向) in a batch, one graduate a row by student number: all rows or none.
    Destinations {
        file: std::path::PathBuf,
        #[arg(long)]
        institution: String,
        #[arg(long, default_value_t = 2022)]
        cohort: i64,
        #[arg(long)]
        report: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// The placement rate (毕业去向落实率) by group as of a day.
    Placement {
        #[arg(long, default_value_t = 2022)]
        cohort: i64,
        /// The statistic day (China time), e.g. 2022-08-31; today when left out.
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        /// institution, college, major, level, gender, origin, urban_rural, discipline or employer_region.
        #[arg(long, default_value = "institution")]
        by: String,
        /// 2021 or 2024; the cohort's own definition when left out.
        #[arg(long)]
        definition: Option<String>,
        #[arg(long, default_value = "csv")]
        format: String,
        /// Output file; standard output for CSV when left out.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Recompute the hash chain and name the first broken record.
    Verify,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config.clone();
    match cli.command.unwrap_or(Command::Serve { demo: false, no_demo: false }) {
        Command::Serve { demo, no_demo } => serve(config, DemoFlags { demo, no_demo }).await,
        Command::Migrate => {
            let db = crate::open(&config).await?;
            tracing::info!(database = %config.database_url(), "schema is up to date");
            db.close().await;
            Ok(())
        }
        Command::Reindex => reindex(&config).await,
        Command::Demo { seed, graduates, employers, no_destinations, postings, provinces } => {
            let db = crate::open(&config).await?;
            run_demo(
                &db,
                &DemoOptions {
                    seed,
                    graduates,
                    employers,
                    destinations: !no_destinations,
                    postings,
                    files: Some(config.files()),
                    home_province: config.home_province.clone(),
                    provinces: usize::from(provinces),
                },
            )
            .await?;
            db.close().await;
            Ok(())
        }
        Command::User { command: UserCommand::Add { username, role, name, institution, password } } => {
            let db = crate::open(&config).await?;
            add_user(&db, &username, &role, name.as_deref(), institution.as_deref(), &password).await?;
            db.close().await;
            Ok(())
        }
        Command::User { command: UserCommand::Token { username, name } } => {
            let db = crate::open(&config).await?;
            let result = issue_token(&db, &username, &name).await;
            db.close().await;
            // On standard output and nothing else there, for scripts to read.
            std::io::Write::write_all(&mut std::io::stdout(), format!("{}\n", result?).as_bytes())?;
            Ok(())
        }
        Command::Import { command: ImportCommand::Roster { file, institution, cohort, report } } => {
            let db = crate::open(&config).await?;
            let result =
                import_roster(&db, &file, &institution, cohort, report.as_deref(), config.sheet_limits()).await;
            db.close().await;
            result
        }
        Command::Import { command: ImportCommand::Destinations { file, institution, cohort, report } } => {
            let db = crate::open(&config).await?;
            let result =
                import_destinations(&db, &file, &institution, cohort, report.as_deref(), config.sheet_limits()).await;
            db.close().await;
            result
        }
        Command::Export { command: ExportCommand::Placement { cohort, as_of, by, definition, format, output } } => {
            let db = crate::open(&config).await?;
            let placements = outcomes::statistics::Placements::new(db.clone(), &config.home_province);
            let result =
                export_placement(&placements, cohort, as_of, &by, definition.as_deref(), &format, output.as_deref())
                    .await;
            db.close().await;
            result
        }
        Command::Verify { command: VerifyCommand::Scan { cohort, as_of, format, output } } => {
            let db = crate::open(&config).await?;
            let result = crate::verify::scan(&db, cohort, as_of, &format, output.as_deref()).await;
            db.close().await;
            result
        }
        Command::Backup { file } => crate::backup::run_backup(&config, &file).await,
        Command::Restore { file, force } => crate::backup::run_restore(&config, &file, force).await,
        Command::Audit { command: AuditCommand::Verify } => {
            let db = crate::open(&config).await?;
            let status = audit::verify(&db).await?;
            db.close().await;
            match status {
                ChainStatus::Intact { records } => {
                    eprintln!("audit log intact: {records} records");
                    Ok(())
                }
                ChainStatus::Broken { record_id, reason } => {
                    anyhow::bail!("audit log broken at record {record_id}: {reason}")
                }
            }
        }
    }
}

/// `serve`'s demo flags: `--demo`, `--no-demo`, or neither.
#[derive(Debug, Clone, Copy, Default)]
pub struct DemoFlags {
    pub demo: bool,
    pub no_demo: bool,
}

impl DemoFlags {
    /// Whether to fill the database with the demo province, whose accounts
    /// have a published password: when asked, or on the very first start of
    /// the default SQLite data folder (a try-out on one's own machine), never
    /// by accident on a database given by URL, PostgreSQL above all.
    pub fn wanted(self, first_start_of_data_folder: bool) -> bool {
        self.demo || (!self.no_demo && first_start_of_data_folder)
    }
}

/// Opens the database for `serve`, with the demo data if `flags` want it.
pub async fn prepare(config: &Config, flags: DemoFlags) -> anyhow::Result<Db> {
    let first_start = config.database_url.is_none() && !config.data_dir.join("jiuye.db").exists();
    let db = crate::open(config).await?;
    let empty = db.scalar_i64("SELECT COUNT(*) AS n FROM graduates", &[]).await? == 0;
    if empty && flags.wanted(first_start) {
        eprintln!("{}", demo_notice(flags.demo));
        run_demo(&db, &DemoOptions { files: Some(config.files()), ..DemoOptions::default() }).await?;
    }
    Ok(db)
}

/// Said loudly: demo accounts share one published password.
fn demo_notice(asked: bool) -> String {
    let why = match asked {
        true => "--demo",
        false => "首次启动，数据目录为空 / first start of an empty data folder",
    };
    format!(
        "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n         !! 正在生成湖南 2022 届演示数据（{why}）\n         !! Generating the Hunan 2022 DEMO data ({why})\n         !! 演示账号使用公开的密码 {pw}，切勿用于正式部署；正式部署请用 --no-demo 或 PostgreSQL。\n         !! Demo accounts use the published password {pw}: never for a real deployment.\n         !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n",
        pw = demo::DEMO_PASSWORD
    )
}

async fn serve(config: Config, flags: DemoFlags) -> anyhow::Result<()> {
    let nightly_scan = kernel::jobs::parse_time_of_day(&config.nightly_scan_at)
        .map_err(|e| anyhow::anyhow!("--nightly-scan-at / JIUYE_NIGHTLY_SCAN_AT: {e}"))?;
    assistance::handover::Column::layout(&config.handover_columns)
        .map_err(|e| anyhow::anyhow!("--handover-columns / JIUYE_HANDOVER_COLUMNS: {e}"))?;
    let db = prepare(&config, flags).await?;
    let listener = tokio::net::TcpListener::bind(config.bind).await?;
    let addr = listener.local_addr()?;
    eprintln!("\n就业平台已启动 / Jiuye is running: http://{addr}/");
    if db.fetch_optional("SELECT id FROM accounts WHERE username = 'admin'", &[]).await?.is_some() {
        eprintln!("{}", demo_accounts());
    }
    kernel::sheet::reports::sweep_every(db.clone(), config.import_reports_days);
    match nightly_scan {
        Some(at) => verification::nightly::start(db.clone(), at),
        None => tracing::info!("the nightly anomaly scan is off"),
    }
    assistance::appointments::start(db.clone(), config.appointment_remind_hours);
    training::mentors::start(db.clone(), config.appointment_remind_hours);
    services::start(db.clone());
    archives::start(db.clone(), config.archive_remind_days);
    let reads = match &config.replica_url {
        Some(url) => {
            let bound = std::time::Duration::from_secs(config.replica_lag_seconds.into());
            kernel::db::Reads::with_replica(db.clone(), url, bound)
                .await
                .map_err(|e| anyhow::anyhow!("--replica-url / JIUYE_REPLICA_URL: {e}"))?
        }
        None => kernel::db::Reads::primary(db.clone()),
    };
    let states = crate::state_reading(db.clone(), reads, config);
    // The plan's reminders read the live figures to skip measures already done.
    portal::plan::start(states.outcomes.clone());
    outcomes::statistics::warm_up(&states.outcomes);
    states.recruitment.jobs.start(db);
    let app = crate::router(states).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
    Ok(())
}

/// The first start's list of demo accounts, every institution's staff account included.
fn demo_accounts() -> String {
    let mut out = format!("演示账号 / demo accounts (password {}):", demo::DEMO_PASSWORD);
    for (user, what) in [
        ("admin", "省级管理员 province admin"),
        ("staff", "高校工作人员 (湘潭大学) university staff"),
        ("college", "院系工作人员 college staff"),
        ("employer", "用人单位 employer"),
        ("graduate", "毕业生 graduate"),
        ("expert", "评审专家 expert"),
        (
            "staff<院校代码>",
            "每所院校的就业办，如 staff10532 (湖南大学) / every institution's staff, by its code, e.g. staff10532",
        ),
    ] {
        out += &format!("\n  {user:<10} {what}");
    }
    out
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}

/// `jiuye reindex`: every published posting into the data folder's job index, with a progress bar.
async fn reindex(config: &Config) -> anyhow::Result<()> {
    let db = crate::open(config).await?;
    let index = recruitment::search::JobIndex::writing(&config.data_dir, recruitment::search::REBUILD);
    let bar = progress_bar();
    let started = std::time::Instant::now();
    let indexed = index
        .rebuild(&db, &|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish_and_clear();
    eprintln!(
        "岗位搜索索引已重建 / job search index rebuilt: {indexed} postings in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {per_sec} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

async fn run_demo(db: &Db, opts: &DemoOptions) -> anyhow::Result<()> {
    let bar = progress_bar();
    bar.set_length(opts.work());
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let summary = demo::generate(db, opts, &progress).await?;
    bar.finish_and_clear();
    let secs = summary.elapsed.as_secs_f64();
    eprintln!(
        "演示数据已生成 / demo data: {} colleges, {} majors, {} graduates, {} employers, {} destination events, {} postings, {} applications, {} fairs ({} registrations), {} key-group graduates helped ({} assistance entries), {} findings, {} records sampled for phone checks ({} called) in {:.1} s ({:.0} rows/s)",
        summary.colleges,
        summary.majors,
        summary.graduates,
        summary.employers,
        summary.destination_events,
        summary.recruitment.postings,
        summary.recruitment.applications,
        summary.fairs.fairs,
        summary.fairs.registrations,
        summary.assistance.0,
        summary.assistance.1,
        summary.verification.findings,
        summary.verification.sampled,
        summary.verification.calls,
        secs,
        (summary.graduates + summary.employers + summary.destination_events + summary.recruitment.postings) as f64
            / secs.max(0.001)
    );
    Ok(())
}

async fn add_user(
    db: &Db,
    username: &str,
    role: &str,
    name: Option<&str>,
    institution: Option<&str>,
    pass: &str,
) -> anyhow::Result<()> {
    let role = Role::parse(role).ok_or_else(|| {
        anyhow::anyhow!("unknown role {role}; use one of province_admin, university_staff, employer, graduate, expert")
    })?;
    if !password::strong_enough(pass) {
        anyhow::bail!("the password needs at least 8 characters with letters and digits");
    }
    let mut tx = db.begin().await?;
    let institution_id = match institution {
        Some(code) => Some(
            tx.fetch_optional("SELECT id FROM institutions WHERE code = $1", &[code.into()])
                .await?
                .ok_or_else(|| anyhow::anyhow!("no institution with code {code}"))?
                .i64("id")?,
        ),
        None if role == Role::UniversityStaff => {
            anyhow::bail!("university staff need --institution CODE")
        }
        None => None,
    };
    let id = tx
        .insert_returning_id(
            "INSERT INTO accounts (username, display_name, password_hash, role, institution_id, active, created_at) VALUES ($1, $2, $3, $4, $5, TRUE, $6)",
            &[username.into(), name.unwrap_or(username).into(), password::hash(pass).into(), role.as_str().into(), institution_id.into(), time::now_utc().into()],
        )
        .await
        .map_err(|e| match e {
            kernel::DbError::Duplicate(_) => anyhow::anyhow!("the user name {username} is taken"),
            other => other.into(),
        })?;
    let after = serde_json::json!({ "username": username, "role": role.as_str(), "institution_id": institution_id });
    audit::record(&mut tx, &AuditActor::system("cli"), Change::created("account", id, after)).await?;
    tx.commit().await?;
    eprintln!("account {username} created ({})", role.as_str());
    Ok(())
}

/// `jiuye user token`: a new API token acting as `username`'s account, audited as the tokens
/// page's issue is; the token itself is returned once and kept only as its hash.
pub async fn issue_token(db: &Db, username: &str, name: &str) -> anyhow::Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        anyhow::bail!("--name: describe the use in 1 to 60 characters");
    }
    let account = registry::tokens::active_account(db, username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no active account has the user name {username}"))?;
    Ok(registry::tokens::issue_token(db, &AuditActor::system("cli"), account, name).await?)
}

async fn import_roster(
    db: &Db,
    file: &std::path::Path,
    institution: &str,
    cohort: i64,
    report: Option<&std::path::Path>,
    limits: kernel::sheet::Limits,
) -> anyhow::Result<()> {
    use outcomes::roster::{self, Outcome};
    let institution_id = institution_id(db, institution).await?;
    let bytes = std::fs::read(file)?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let bar = rows_bar(&name);
    let actor = AuditActor::system("cli");
    let into = roster::InstitutionCohort { institution_id, cohort };
    let outcome = roster::import(db, &actor, into, Input::File { name, bytes }, kernel::Locale::Zh, limits, |p| {
        show_rows(&bar, p)
    })
    .await;
    bar.finish_and_clear();
    match outcome? {
        Outcome::Imported { new, updated, unchanged, ignored_columns } => {
            eprintln!("导入成功 / imported: {new} new, {updated} updated, {unchanged} unchanged");
            if !ignored_columns.is_empty() {
                eprintln!("忽略的列 / ignored columns: {}", ignored_columns.join(", "));
            }
            Ok(())
        }
        Outcome::Rejected { rows, errors, report: xlsx } => refuse(rows, &errors, xlsx, report),
    }
}

async fn export_placement(
    placements: &outcomes::statistics::Placements,
    cohort: i64,
    as_of: Option<chrono::NaiveDate>,
    by: &str,
    definition: Option<&str>,
    format: &str,
    output: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use outcomes::statistics as placement;
    use outcomes::statistics::rates::Definition;
    if definition.is_some_and(|d| Definition::parse(d).is_none()) {
        anyhow::bail!("the definition is 2021 or 2024");
    }
    let d = placement::definition_of(placements.db(), cohort, definition.unwrap_or("")).await?;
    let grouping = placement::Grouping::parse(by).ok_or_else(|| anyhow::anyhow!("unknown grouping {by}"))?;
    let label = grouping.heading(kernel::Locale::Zh);
    let day = as_of.unwrap_or_else(kernel::time::today_china);
    let province = kernel::auth::Scope::Province;
    let breakdown = placement::by_group(placements, &province, cohort, day, grouping, d, kernel::Locale::Zh).await?;
    let rows = placement::table(&breakdown, d, label, kernel::Locale::Zh);
    let bytes = match format {
        "csv" => kernel::web::export::to_csv(&rows).into_bytes(),
        "xlsx" => kernel::web::export::to_xlsx(&rows, "落实率", None)?,
        other => anyhow::bail!("unknown format {other}; use csv or xlsx"),
    };
    match output {
        Some(path) => std::fs::write(path, bytes)?,
        None if format == "csv" => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
        None => anyhow::bail!("an .xlsx export needs --output FILE"),
    }
    Ok(())
}

async fn institution_id(db: &Db, code: &str) -> anyhow::Result<i64> {
    Ok(db
        .fetch_optional("SELECT id FROM institutions WHERE code = $1", &[code.into()])
        .await?
        .ok_or_else(|| anyhow::anyhow!("no institution with code {code}"))?
        .i64("id")?)
}

/// A bar counting a file's rows.
fn rows_bar(file_name: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} rows {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(file_name.to_owned());
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

fn show_rows(bar: &ProgressBar, p: kernel::sheet::Progress) {
    bar.set_length(p.of.unwrap_or(0).max(p.rows) as u64);
    bar.set_position(p.rows as u64);
}

/// Prints the refused rows, writes the report, and fails.
fn refuse<P: kernel::sheet::Explain>(
    rows: usize,
    errors: &kernel::sheet::Errors<P>,
    xlsx: Vec<u8>,
    report: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    for e in errors.listed.iter().take(50) {
        eprintln!("第 {} 行 {}：{}（{}）", e.row, e.column, e.reason(kernel::Locale::Zh), e.value);
    }
    if errors.total > 50 {
        eprintln!("… {} more", errors.total - 50);
    }
    if let Some(path) = report {
        std::fs::write(path, xlsx)?;
        eprintln!("错误报告 / error report: {}", path.display());
    }
    anyhow::bail!("{} errors in {rows} rows; nothing was imported", errors.total)
}

async fn import_destinations(
    db: &Db,
    file: &std::path::Path,
    institution: &str,
    cohort: i64,
    report: Option<&std::path::Path>,
    limits: kernel::sheet::Limits,
) -> anyhow::Result<()> {
    use outcomes::destinations::batch::{self, BatchOutcome};
    let id = institution_id(db, institution).await?;
    let bytes = std::fs::read(file)?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let bar = rows_bar(&name);
    let into = outcomes::roster::InstitutionCohort { institution_id: id, cohort };
    let actor = AuditActor::system("cli");
    let outcome = batch::import(db, &actor, into, Input::File { name, bytes }, kernel::Locale::Zh, limits, |p| {
        show_rows(&bar, p)
    })
    .await;
    bar.finish_and_clear();
    match outcome? {
        BatchOutcome::Recorded { rows } => {
            eprintln!("已登记毕业去向 / destinations recorded: {rows}");
            Ok(())
        }
        BatchOutcome::Rejected { rows, errors, report: xlsx } => refuse(rows, &errors, xlsx, report),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_data_only_when_asked_or_on_a_new_data_folder() {
        use super::DemoFlags;
        let neither = DemoFlags::default();
        assert!(neither.wanted(true), "README's first start");
        assert!(!neither.wanted(false), "an existing database or one given by URL");
        assert!(DemoFlags { demo: true, no_demo: false }.wanted(false));
        assert!(!DemoFlags { demo: false, no_demo: true }.wanted(true));
    }

    #[test]
    fn the_first_start_names_every_institutions_staff_account() {
        let text = super::demo_accounts();
        assert!(text.contains("staff<院校代码>") && text.contains("staff10532"), "{text}");
    }
}
