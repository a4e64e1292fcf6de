//! The demo's job seekers: profiles for a fifth of the graduates, their
//! applications with every step, the interviews proposed, and the demo
//! graduate's own (an offer and an interview still to answer).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use kernel::{time, Tx, Value};
use recruitment::applications::flow::Stage;
use recruitment::applications::interview::Answer;

use super::{jobs, Board, Posted};
use crate::demo::people::weighted;
use crate::demo::DemoError;

/// The fewest applicants each of the demo employer's open postings has.
const FEATURED_APPLICANTS: usize = 5;

/// Profiles, applications and interviews for the graduates who look for work on the
/// platform; (profiles, applications, interviews) written.
pub(super) async fn write(
    tx: &mut Tx,
    rng: &mut ChaCha8Rng,
    board: &Board<'_>,
    regions: &HashSet<String>,
    demo_graduate: i64,
) -> Result<(usize, usize, usize), DemoError> {
    let seekers = load_seekers(tx, demo_graduate).await?;
    let mut out = Applied::new(tx).await?;
    // The start of the day generated stands for now, so the same day gives the same data.
    let now = board.today.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::hours(8);
    let demo = seekers.iter().position(|s| s.id == demo_graduate);
    if let Some(i) = demo {
        out.demo_graduate(rng, board, &seekers[i], now);
    }
    for (i, s) in seekers.iter().enumerate() {
        if Some(i) == demo {
            continue;
        }
        for _ in 0..rng.gen_range(1..=5) {
            if let Some(p) = board.fitting(rng, s) {
                out.apply(rng, &board.posted[p], s, None, now);
            }
        }
        out.profile(rng, s, regions, now);
    }
    out.fill_featured(rng, board, &seekers, now);
    if let Some(i) = demo {
        out.profile(rng, &seekers[i], regions, now);
    }
    let written = (out.profiles.len(), out.applications.len(), out.interviews.len());
    out.flush(tx).await?;
    Ok(written)
}

impl Board<'_> {
    /// A published posting for this graduate: its major wanted (or any), its level enough,
    /// province-wide or in its own university's campus channel.
    fn fitting(&self, rng: &mut ChaCha8Rng, s: &Seeker) -> Option<usize> {
        let own = self.by_major.get(s.major_code.as_str()).filter(|v| !v.is_empty());
        for _ in 0..6 {
            let pool = match own {
                Some(v) if rng.gen_bool(0.6) || self.any_major.is_empty() => v,
                _ => &self.any_major,
            };
            if pool.is_empty() {
                return None;
            }
            let p = pool[rng.gen_range(0..pool.len())];
            if s.may_apply(&self.posted[p]) {
                return Some(p);
            }
        }
        None
    }
}

/// A graduate who may look for work on the platform.
struct Seeker {
    id: i64,
    /// 1 专科, 2 本科, 3 研究生: as `major_level` codes.
    level: u8,
    institution_id: i64,
    origin: String,
    major_code: String,
    major_name: String,
}

impl Seeker {
    fn may_apply(&self, p: &Posted) -> bool {
        p.level <= self.level && p.channel.is_none_or(|c| c == self.institution_id)
    }
}

/// The graduates with a profile: a fifth of the cohort (every fifth by id) and the demo graduate.
async fn load_seekers(tx: &mut Tx, demo_graduate: i64) -> Result<Vec<Seeker>, DemoError> {
    let sql = "SELECT g.id, g.education_level, g.institution_id, g.origin_region_code, m.code, m.name FROM graduates g \
               JOIN majors m ON m.id = g.major_id WHERE g.cohort_year = $1 AND (g.id % 5 = 0 OR g.id = $2) ORDER BY g.id";
    let rows = tx.fetch_all(sql, &[crate::demo::COHORT.into(), demo_graduate.into()]).await?;
    rows.iter()
        .map(|r| {
            let level = r.text("education_level")?;
            Ok(Seeker {
                id: r.i64("id")?,
                level: if level.starts_with("专科") {
                    1
                } else if level.starts_with("本科") {
                    2
                } else {
                    3
                },
                institution_id: r.i64("institution_id")?,
                origin: r.opt_text("origin_region_code")?.unwrap_or_default(),
                major_code: r.text("code")?,
                major_name: r.text("name")?,
            })
        })
        .collect::<kernel::DbResult<_>>()
        .map_err(DemoError::from)
}

/// Applications, their steps and interviews, and profiles, made and not yet written.
#[derive(Default)]
struct Applied {
    next_id: i64,
    taken: HashSet<(i64, i64)>,
    /// Per graduate, its first application's time (when its profile was last saved, about).
    first_applied: HashMap<i64, DateTime<Utc>>,
    applications: Vec<Vec<Value>>,
    steps: Vec<Vec<Value>>,
    interviews: Vec<Vec<Value>>,
    profiles: Vec<Vec<Value>>,
}

/// Where an application to a posting still open stands, and to one closed.
const OPEN_STAGES: &[(Stage, u32)] = &[
    (Stage::Received, 25),
    (Stage::Viewed, 20),
    (Stage::Shortlisted, 14),
    (Stage::Interview, 15),
    (Stage::Offer, 6),
    (Stage::Hired, 5),
    (Stage::Rejected, 10),
    (Stage::Withdrawn, 5),
];
const CLOSED_STAGES: &[(Stage, u32)] = &[
    (Stage::Received, 3),
    (Stage::Viewed, 6),
    (Stage::Shortlisted, 2),
    (Stage::Interview, 2),
    (Stage::Offer, 2),
    (Stage::Hired, 17),
    (Stage::Rejected, 50),
    (Stage::Withdrawn, 18),
];
/// The road forward: a rejection or a withdrawal leaves it somewhere along it.
const ROAD: [Stage; 6] =
    [Stage::Received, Stage::Viewed, Stage::Shortlisted, Stage::Interview, Stage::Offer, Stage::Hired];

const PLACES: &[&str] =
    &["公司总部三楼会议室", "人力资源部二楼面试室", "学校就业指导中心洽谈室", "项目部会议室", "园区综合楼 1 号会议室"];
const RESCHEDULE: &[&str] = &["当天有课程考试，希望改到下周", "毕业论文答辩时间冲突", "当天在外地参加另一场面试"];

impl Applied {
    async fn new(tx: &mut Tx) -> Result<Applied, DemoError> {
        let next_id = tx.fetch_one("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM applications", &[]).await?.i64("n")?;
        Ok(Applied { next_id, ..Applied::default() })
    }

    /// One application, at `stage` or one drawn for the posting, with its steps and any
    /// interview; `None` when the graduate already applied there.
    fn apply(
        &mut self,
        rng: &mut ChaCha8Rng,
        p: &Posted,
        s: &Seeker,
        stage: Option<Stage>,
        now: DateTime<Utc>,
    ) -> Option<i64> {
        if !self.taken.insert((p.id, s.id)) {
            return None;
        }
        let open = p.deadline >= china_day(now);
        let stage = stage.unwrap_or_else(|| *weighted(rng, if open { OPEN_STAGES } else { CLOSED_STAGES }));
        let last = now - Duration::hours(1);
        // Applications come in until the deadline day's 17:00 in China (09:00 UTC).
        let closes = p.deadline.and_hms_opt(9, 0, 0).map(|t| t.and_utc()).unwrap_or(last).min(last);
        let span = (closes - p.approved).num_minutes().max(1);
        let applied = p.approved + Duration::minutes(rng.gen_range(0..span));
        let road: Vec<Stage> = match stage {
            Stage::Rejected | Stage::Withdrawn => {
                let reach = if stage == Stage::Withdrawn { 5 } else { 4 };
                let mut r = ROAD[..rng.gen_range(1..=reach)].to_vec();
                r.push(stage);
                r
            }
            _ => ROAD.iter().copied().take_while(|st| *st != stage).chain([stage]).collect(),
        };
        let id = self.next_id;
        self.next_id += 1;
        let mut at = applied;
        for (i, step) in road.iter().enumerate() {
            if i > 0 {
                at = (at + Duration::hours(rng.gen_range(6..96))).min(last).max(at);
            }
            self.steps.push(vec![id.into(), step.key().into(), time::format_utc(at).into()]);
            if *step == Stage::Interview {
                let upcoming = stage == Stage::Interview && open;
                let held = self.interview(rng, id, at, upcoming, now);
                if i + 1 < road.len() {
                    // What follows an interview comes after it.
                    at = held.min(last).max(at);
                }
            }
        }
        self.first_applied.entry(s.id).and_modify(|t| *t = (*t).min(applied)).or_insert(applied);
        self.applications.push(vec![
            id.into(),
            p.id.into(),
            s.id.into(),
            p.employer_id.into(),
            stage.key().into(),
            time::format_utc(applied).into(),
            time::format_utc(at).into(),
        ]);
        Some(id)
    }

    /// The interview proposed when an application moved to 面试: answered, or still
    /// to be answered when it lies ahead; now and then first moved to another time.
    /// Returns when it is held; one not ahead was held before `now`.
    fn interview(
        &mut self,
        rng: &mut ChaCha8Rng,
        application: i64,
        proposed: DateTime<Utc>,
        upcoming: bool,
        now: DateTime<Utc>,
    ) -> DateTime<Utc> {
        // `now` is the start of the day in China; one already held ended by 16:30 the day before.
        let past = now - Duration::minutes(7 * 60 + 30);
        let soon = china_day(now) + Duration::days(rng.gen_range(1..10));
        let ahead = office_hours(rng, soon);
        let when = |t: DateTime<Utc>| if upcoming { t.max(ahead) } else { t.min(past).max(proposed) };
        let mut created = proposed;
        let day = china_day(proposed) + Duration::days(rng.gen_range(2..8));
        let mut starts = when(office_hours(rng, day));
        if rng.gen_bool(0.15) {
            let note = RESCHEDULE[rng.gen_range(0..RESCHEDULE.len())];
            let answered = (created + Duration::hours(rng.gen_range(2..24))).min(starts);
            self.interview_row(rng, application, starts, created, Answer::Reschedule, Some(note), Some(answered));
            created = answered;
            starts = when(starts + Duration::days(rng.gen_range(2..5)));
        }
        let answer = match upcoming && rng.gen_bool(0.6) {
            true => (Answer::Pending, None),
            false => (Answer::Accepted, Some((created + Duration::hours(rng.gen_range(1..24))).min(starts))),
        };
        self.interview_row(rng, application, starts, created, answer.0, None, answer.1);
        starts
    }

    #[allow(clippy::too_many_arguments)]
    fn interview_row(
        &mut self,
        rng: &mut ChaCha8Rng,
        application: i64,
        starts: DateTime<Utc>,
        created: DateTime<Utc>,
        answer: Answer,
        answer_note: Option<&str>,
        answered: Option<DateTime<Utc>>,
    ) {
        let online = rng.gen_bool(0.4);
        let place = (!online).then(|| PLACES[rng.gen_range(0..PLACES.len())]);
        let meeting = online.then(|| format!("https://meeting.example.com/j/{}", 100_000 + application));
        self.interviews.push(vec![
            application.into(),
            time::format_utc(starts).into(),
            place.into(),
            meeting.into(),
            (if online { "请提前 10 分钟进入会议" } else { "请携带简历和成绩单" }).into(),
            answer.key().into(),
            answer_note.into(),
            time::format_utc(created).into(),
            answered.map(time::format_utc).into(),
        ]);
    }

    /// The demo graduate: an offer and an interview still to answer, both from the demo
    /// employer's open postings, and one application more elsewhere.
    fn demo_graduate(&mut self, rng: &mut ChaCha8Rng, board: &Board, s: &Seeker, now: DateTime<Utc>) {
        let featured: Vec<&Posted> = board.posted.iter().filter(|p| p.featured).collect();
        let [first, second, ..] = featured.as_slice() else { return };
        self.apply(rng, first, s, Some(Stage::Offer), now);
        let Some(interviewing) = self.apply(rng, second, s, Some(Stage::Interview), now) else { return };
        // The interview it stands at (ahead, as the posting is open) waits for the graduate's answer.
        if let Some(row) = self.interviews.iter_mut().rev().find(|r| r[0] == Value::from(interviewing)) {
            row[5] = Answer::Pending.key().into();
            row[8] = Value::Text(None);
        }
        if let Some(p) = board.fitting(rng, s) {
            self.apply(rng, &board.posted[p], s, None, now);
        }
    }

    /// Each of the demo employer's open postings gets a few applicants at least.
    fn fill_featured(&mut self, rng: &mut ChaCha8Rng, board: &Board, seekers: &[Seeker], now: DateTime<Utc>) {
        for p in board.posted.iter().filter(|p| p.featured) {
            let able: Vec<&Seeker> = seekers.iter().filter(|s| s.may_apply(p)).collect();
            let mut applicants = self.taken.iter().filter(|(posting, _)| *posting == p.id).count();
            for _ in 0..FEATURED_APPLICANTS * 4 {
                if applicants >= FEATURED_APPLICANTS || able.is_empty() {
                    break;
                }
                let s = able[rng.gen_range(0..able.len())];
                if self.apply(rng, p, s, None, now).is_some() {
                    applicants += 1;
                }
            }
        }
    }

    /// The graduate's profile: skills by its major, intentions by its home and field.
    fn profile(&mut self, rng: &mut ChaCha8Rng, s: &Seeker, regions: &HashSet<String>, now: DateTime<Utc>) {
        let skills = jobs::SKILLS
            .iter()
            .find(|(words, _)| words.iter().any(|w| s.major_name.contains(w)))
            .map(|(_, skills)| *skills)
            .unwrap_or("Office 办公软件、英语读写、信息检索");
        let certificates: Vec<&str> =
            jobs::CERTIFICATES.iter().copied().filter(|_| rng.gen_bool(0.25)).take(3).collect();
        let home = s.origin.get(..4).map(|p| format!("{p}00")).filter(|c| regions.contains(c) && c != "430100");
        let intended: Vec<String> = home.into_iter().chain(["430100".to_owned()]).collect();
        let family =
            jobs::FAMILIES.iter().find(|f| f.public.is_none() && f.majors.iter().any(|w| s.major_name.contains(w)));
        let industries = family.map(|f| f.industries.iter().take(2).copied().collect::<Vec<_>>().join(","));
        let salary = match s.level {
            1 => rng.gen_range(8..=12) * 500,
            2 => rng.gen_range(10..=16) * 500,
            _ => rng.gen_range(14..=24) * 500,
        };
        let visibility = *weighted(rng, &[("applied", 75), ("employers", 20), ("nobody", 5)]);
        let saved = self.first_applied.get(&s.id).copied().unwrap_or(now) - Duration::hours(rng.gen_range(1..72));
        self.profiles.push(vec![
            s.id.into(),
            skills.into(),
            Some(certificates.join("、")).filter(|c| !c.is_empty()).into(),
            rng.gen_bool(0.7).then(|| jobs::INTERNSHIPS[rng.gen_range(0..jobs::INTERNSHIPS.len())]).into(),
            rng.gen_bool(0.8).then(|| jobs::INTRODUCTIONS[rng.gen_range(0..jobs::INTRODUCTIONS.len())]).into(),
            intended.join(",").into(),
            industries.filter(|i| !i.is_empty()).into(),
            family.map(|f| f.position).into(),
            i64::from(salary).into(),
            visibility.into(),
            time::format_utc(saved).into(),
        ]);
    }

    async fn flush(&mut self, tx: &mut Tx) -> Result<(), DemoError> {
        tx.insert_many(
            "applications",
            &["id", "posting_id", "graduate_id", "employer_id", "stage", "applied_at", "updated_at"],
            std::mem::take(&mut self.applications),
        )
        .await?;
        tx.sync_id_sequence("applications").await?;
        tx.insert_many("application_steps", &["application_id", "stage", "at"], std::mem::take(&mut self.steps))
            .await?;
        tx.insert_many(
            "interviews",
            &[
                "application_id",
                "starts_at",
                "place",
                "meeting_url",
                "note",
                "answer",
                "answer_note",
                "created_at",
                "answered_at",
            ],
            std::mem::take(&mut self.interviews),
        )
        .await?;
        tx.insert_many(
            "profiles",
            &[
                "graduate_id",
                "skills",
                "certificates",
                "internships",
                "self_intro",
                "intended_regions",
                "intended_industries",
                "intended_positions",
                "intended_salary",
                "visibility",
                "updated_at",
            ],
            std::mem::take(&mut self.profiles),
        )
        .await?;
        Ok(())
    }
}

/// A half hour between 9:00 and 16:30 in China on `day`.
fn office_hours(rng: &mut ChaCha8Rng, day: NaiveDate) -> DateTime<Utc> {
    let china = day.and_hms_opt(rng.gen_range(9..17), *[0, 30].choose(rng).unwrap_or(&0), 0).unwrap_or_default();
    china.and_utc() - Duration::hours(8)
}

/// The China-time day of an instant.
fn china_day(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&time::china()).date_naive()
}
