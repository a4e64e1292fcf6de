//! Configuration: one struct, from flags or environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::sheet::Limits;

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Folder for the embedded database and stored files.
    #[arg(long, env = "JIUYE_DATA_DIR", default_value = "jiuye-data", global = true)]
    pub data_dir: PathBuf,
    /// Folder for uploaded files (licences, evidence, résumés, PDFs, videos);
    /// `files` in the data folder by default. Several app servers on one
    /// database point it at the same shared storage (NFS or similar).
    #[arg(long, env = "JIUYE_FILES_DIR", global = true)]
    pub files_dir: Option<PathBuf>,
    /// Database URL: sqlite://... or postgres://...; defaults to SQLite in the data folder.
    #[arg(long, env = "JIUYE_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Address the web server listens on.
    #[arg(long, env = "JIUYE_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: SocketAddr,
    /// Log filter, e.g. info or jiuye=debug.
    #[arg(long, env = "JIUYE_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Mark cookies Secure and send HSTS (set when served over HTTPS).
    #[arg(long, env = "JIUYE_SECURE_COOKIES", global = true)]
    pub secure_cookies: bool,
    /// The header in which the trusted reverse proxy passes the client's
    /// address, e.g. X-Forwarded-For or X-Real-IP; only set when every request
    /// comes through that proxy, since clients can write the header themselves.
    #[arg(long, env = "JIUYE_CLIENT_IP_HEADER", global = true)]
    pub client_ip_header: Option<String>,
    /// The province this platform serves, as the first two digits of its
    /// region code (43 is Hunan): decides in- or out-of-province origin and
    /// where employment regions count by prefecture.
    #[arg(long, env = "JIUYE_HOME_PROVINCE", default_value = "43", global = true)]
    pub home_province: String,
    /// The address people reach the platform at, e.g. https://jy.hnedu.cn, for
    /// links that leave the browser (QR codes); by default the request's own host.
    #[arg(long, env = "JIUYE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// The department that runs the platform (主办单位), as every page's footer names it.
    #[arg(long, env = "JIUYE_OPERATOR", default_value = OPERATOR, global = true)]
    pub operator: String,
    /// The same in English.
    #[arg(long, env = "JIUYE_OPERATOR_EN", default_value = OPERATOR_EN, global = true)]
    pub operator_en: String,
    /// Data rows an imported spreadsheet may have.
    #[arg(long, env = "JIUYE_IMPORT_ROWS", default_value_t = Limits::default().rows, global = true)]
    pub import_rows: usize,
    /// Errors a refused import lists (on the page and in its report); the rest are counted.
    #[arg(long, env = "JIUYE_IMPORT_ERRORS", default_value_t = Limits::default().errors, global = true)]
    pub import_errors: usize,
    /// Days a refused import's error report (the uploaded rows, ID numbers
    /// included) is kept before it is deleted.
    #[arg(long, env = "JIUYE_IMPORT_REPORTS_DAYS", default_value_t = IMPORT_REPORTS_DAYS, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub import_reports_days: u32,
    /// When the nightly anomaly scan runs, China time (HH:MM), once per
    /// deployment however many servers share the database; `off` for never.
    #[arg(long, env = "JIUYE_NIGHTLY_SCAN_AT", default_value = NIGHTLY_SCAN_AT, global = true)]
    pub nightly_scan_at: String,
    /// Hours before a guidance appointment (一对一指导预约) until which the
    /// graduate may still cancel it or ask for another time.
    #[arg(long, env = "JIUYE_APPOINTMENT_LEAD_HOURS", default_value_t = APPOINTMENT_LEAD_HOURS, global = true)]
    pub appointment_lead_hours: u32,
    /// Hours before an appointment its second reminder goes to both sides (the
    /// first goes the day before); 0 for none.
    #[arg(long, env = "JIUYE_APPOINTMENT_REMIND_HOURS", default_value_t = APPOINTMENT_REMIND_HOURS, global = true)]
    pub appointment_remind_hours: u32,
    /// Days before a batch's deadline (档案转递批次截止) the institution is
    /// reminded of archives not yet dispatched; returned archives not sent
    /// again are brought up as many days after their return.
    #[arg(long, env = "JIUYE_ARCHIVE_REMIND_DAYS", default_value_t = ARCHIVE_REMIND_DAYS, global = true)]
    pub archive_remind_days: u32,
    /// The hand-over list's columns (离校未就业实名移交), in order, as the
    /// receiving public employment services lay out their registration sheet:
    /// keys from `assistance::handover::Column` (the layout varies by province
    /// and is not confirmed, so it is configuration).
    #[arg(long, env = "JIUYE_HANDOVER_COLUMNS", default_value = HANDOVER_COLUMNS, global = true)]
    pub handover_columns: String,
    /// The largest video (MP4) the course library (课程资源库) keeps, in MB.
    #[arg(long, env = "JIUYE_VIDEO_LIMIT_MB", default_value_t = VIDEO_LIMIT_MB, global = true)]
    pub video_limit_mb: usize,
    /// A PostgreSQL streaming replica (只读副本) that dashboards and reports
    /// read from while it is at most `--replica-lag-seconds` behind the
    /// primary; writes never go there. Needs PostgreSQL as the database.
    #[arg(long, env = "JIUYE_REPLICA_URL", global = true)]
    pub replica_url: Option<String>,
    /// The oldest data, in seconds, a page read from the replica may show;
    /// further behind, reports read the primary until the replica catches up.
    #[arg(long, env = "JIUYE_REPLICA_LAG_SECONDS", default_value_t = REPLICA_LAG_SECONDS, global = true)]
    pub replica_lag_seconds: u32,
}

const OPERATOR: &str = "湖南省教育厅";
const OPERATOR_EN: &str = "Hunan Department of Education";
const IMPORT_REPORTS_DAYS: u32 = 30;
const NIGHTLY_SCAN_AT: &str = "02:00";
const APPOINTMENT_LEAD_HOURS: u32 = 24;
const APPOINTMENT_REMIND_HOURS: u32 = 2;
const ARCHIVE_REMIND_DAYS: u32 = 3;
const VIDEO_LIMIT_MB: usize = 200;
const REPLICA_LAG_SECONDS: u32 = 30;
const HANDOVER_COLUMNS: &str = "seq,name,gender,ethnicity,birth,id_number,political,institution,major,level,graduated,\
home_city,home_county,home_code,phone,categories,intentions,needs,helpers,last_contact,remark";

impl Config {
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}/jiuye.db", self.data_dir.display()))
    }

    /// The files folder: `--files-dir`, else `files` in the data folder.
    pub fn files_dir(&self) -> PathBuf {
        self.files_dir.clone().unwrap_or_else(|| self.data_dir.join("files"))
    }

    /// The file store every upload and download goes through.
    pub fn files(&self) -> crate::files::FileStore {
        crate::files::FileStore::at(&self.files_dir())
    }

    /// A configuration for tests and tools that only need a database.
    pub fn for_database(url: &str) -> Config {
        Config {
            data_dir: PathBuf::from("jiuye-data"),
            files_dir: None,
            database_url: Some(url.to_owned()),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            log: "warn".to_owned(),
            secure_cookies: false,
            client_ip_header: None,
            home_province: "43".to_owned(),
            public_url: None,
            operator: OPERATOR.to_owned(),
            operator_en: OPERATOR_EN.to_owned(),
            import_rows: Limits::default().rows,
            import_errors: Limits::default().errors,
            import_reports_days: IMPORT_REPORTS_DAYS,
            nightly_scan_at: NIGHTLY_SCAN_AT.to_owned(),
            appointment_lead_hours: APPOINTMENT_LEAD_HOURS,
            appointment_remind_hours: APPOINTMENT_REMIND_HOURS,
            archive_remind_days: ARCHIVE_REMIND_DAYS,
            handover_columns: HANDOVER_COLUMNS.to_owned(),
            video_limit_mb: VIDEO_LIMIT_MB,
            replica_url: None,
            replica_lag_seconds: REPLICA_LAG_SECONDS,
        }
    }

    /// The largest video kept, in bytes.
    pub fn video_limit(&self) -> usize {
        self.video_limit_mb.saturating_mul(1024 * 1024)
    }

    /// What a spreadsheet import reads at most.
    pub fn sheet_limits(&self) -> Limits {
        Limits { rows: self.import_rows, errors: self.import_errors, ..Limits::default() }
    }
}
