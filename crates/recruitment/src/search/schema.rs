//! The job index's fields and the document of one posting.

use fulltext::tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};
use fulltext::tantivy::TantivyDocument;
use fulltext::text;

/// A posting as the index holds it, read by `source`.
#[derive(Debug, Clone, Default)]
pub struct JobDoc {
    pub id: i64,
    pub title: String,
    pub employer: String,
    pub description: String,
    /// The places of work written out (湖南省 长沙市 岳麓区).
    pub places: Vec<String>,
    pub region_codes: Vec<String>,
    /// The industry's and position category's names, so 教师 finds 教学人员 posts.
    pub labels: Vec<String>,
    pub industry_code: String,
    pub position_code: String,
    pub education_level: Option<String>,
    pub major_codes: Vec<String>,
    pub public_sector_kind: Option<String>,
    /// The top of the monthly pay; 0 for 面议.
    pub salary_max: u64,
    /// The last day, as yyyymmdd.
    pub deadline: u64,
    /// When it was published, milliseconds since 1970.
    pub approved: i64,
}

/// Facet value of a posting that names no education level or no major (不限).
pub const ANY: &str = "any";

#[derive(Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub title: Field,
    pub employer: Field,
    pub place: Field,
    pub labels: Field,
    pub description: Field,
    /// Character grams of the short fields (title, employer, places, labels); the
    /// description's are left out: they were half of all tokens to index, and its
    /// jieba words find it.
    pub grams: Field,
    pub region: Field,
    pub industry: Field,
    pub position: Field,
    pub education: Field,
    pub major: Field,
    pub public: Field,
    pub salary_max: Field,
    pub deadline: Field,
    pub approved: Field,
}

impl Fields {
    /// The word fields and how much a match in each weighs.
    pub fn weighted(&self) -> [(Field, f32); 5] {
        [(self.title, 3.0), (self.employer, 2.0), (self.place, 1.5), (self.labels, 1.0), (self.description, 1.0)]
    }
}

pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let analysed = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let number = NumericOptions::default().set_indexed().set_fast();
    let fields = Fields {
        id: b.add_i64_field("id", number.clone()),
        title: b.add_text_field("title", analysed(text::WORDS)),
        employer: b.add_text_field("employer", analysed(text::WORDS)),
        place: b.add_text_field("place", analysed(text::WORDS)),
        labels: b.add_text_field("labels", analysed(text::WORDS)),
        description: b.add_text_field("description", analysed(text::WORDS)),
        // Named for what it holds, so an index whose grams held the description too is rebuilt.
        grams: b.add_text_field("short_grams", analysed(text::GRAMS)),
        region: b.add_facet_field("region", FacetOptions::default()),
        industry: b.add_facet_field("industry", FacetOptions::default()),
        position: b.add_facet_field("position", FacetOptions::default()),
        education: b.add_facet_field("education", FacetOptions::default()),
        major: b.add_facet_field("major", FacetOptions::default()),
        public: b.add_facet_field("public", FacetOptions::default()),
        salary_max: b.add_u64_field("salary_max", number.clone()),
        deadline: b.add_u64_field("deadline", number.clone()),
        approved: b.add_i64_field("approved", number),
    };
    (b.build(), fields)
}

/// A region code's facet: /43/4301/430104 (a province's or prefecture's own code stops early).
pub fn region_facet(code: &str) -> Option<Facet> {
    let prefix = crate::postings::region_prefix(code)?;
    let parts: Vec<&str> = [2, 4, 6].iter().filter(|&&n| n <= prefix.len()).map(|&n| &prefix[..n]).collect();
    Some(Facet::from_path(parts))
}

/// A major's facet by discipline, class and code: /08/0809/080902.
pub fn major_facet(code: &str) -> Facet {
    let code = code.trim();
    if code.len() >= 6 && code.is_ascii() {
        Facet::from_path([&code[..2], &code[..4], code])
    } else {
        Facet::from_path([code])
    }
}

/// A public-sector kind's facet, under /public so a filter can ask for any kind.
pub fn public_facet(kind: &str) -> Facet {
    Facet::from_path(["public", kind.trim()])
}

/// A flat facet of one code.
pub fn code_facet(code: &str) -> Facet {
    Facet::from_path([code.trim()])
}

pub fn document(f: &Fields, d: &JobDoc) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_i64(f.id, d.id);
    doc.add_text(f.title, &d.title);
    doc.add_text(f.employer, &d.employer);
    doc.add_text(f.description, &d.description);
    for place in &d.places {
        doc.add_text(f.place, place);
    }
    for label in &d.labels {
        doc.add_text(f.labels, label);
    }
    for short in [&d.title, &d.employer].into_iter().chain(&d.places).chain(&d.labels) {
        doc.add_text(f.grams, short);
    }
    for facet in d.region_codes.iter().filter_map(|c| region_facet(c)) {
        doc.add_facet(f.region, facet);
    }
    doc.add_facet(f.industry, code_facet(&d.industry_code));
    doc.add_facet(f.position, code_facet(&d.position_code));
    doc.add_facet(f.education, code_facet(d.education_level.as_deref().unwrap_or(ANY)));
    match d.major_codes.is_empty() {
        true => doc.add_facet(f.major, code_facet(ANY)),
        false => d.major_codes.iter().for_each(|m| doc.add_facet(f.major, major_facet(m))),
    }
    if let Some(kind) = &d.public_sector_kind {
        doc.add_facet(f.public, public_facet(kind));
    }
    doc.add_u64(f.salary_max, d.salary_max);
    doc.add_u64(f.deadline, d.deadline);
    doc.add_i64(f.approved, d.approved);
    doc
}
