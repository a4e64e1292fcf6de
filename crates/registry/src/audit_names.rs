//! What the audit log's keys are called in the reader's language: entity
//! types, actions and the fields of before and after images, in one table
//! each. Every area writes its keys with `kernel::audit`; only this page reads
//! them, so the names live here. A key not in a table shows as written.

use kernel::Locale;

/// Entity types (对象类型) as `audit::Change` writes them: (key, zh, en).
/// The audit page's entity filter offers these, in this order.
pub const ENTITIES: &[(&str, &str, &str)] = &[
    ("destination", "毕业去向", "Destination"),
    ("destination_evidence", "证明材料", "Evidence"),
    ("destination_batch", "去向批量登记", "Destination batch"),
    ("agreement", "就业协议", "Agreement"),
    ("graduate", "毕业生信息", "Graduate record"),
    ("roster", "生源导入", "Roster import"),
    ("graduate_card", "签约二维码", "Signing card"),
    ("employer", "用人单位", "Employer"),
    ("college", "院系", "College"),
    ("major", "专业", "Major"),
    ("notice", "通知提醒", "Notice"),
    ("cohort", "届别设置", "Cohort settings"),
    ("account", "账号", "Account"),
    ("api_token", "接口令牌", "API token"),
    ("reference_data", "基础数据", "Reference data"),
    ("demo", "演示数据", "Demo data"),
    ("import_report", "导入错误报告", "Import error report"),
    ("posting", "招聘岗位", "Job posting"),
    ("application", "投递申请", "Job application"),
    ("interview", "面试安排", "Interview"),
    ("profile", "求职简历", "Job-seeking profile"),
    ("message", "站内消息", "Message"),
    ("saved_search", "保存的搜索", "Saved search"),
    ("fair", "招聘活动", "Job fair"),
    ("fair_booth", "展位", "Booth"),
    ("fair_registration", "活动报名", "Fair registration"),
    ("fair_visit", "展位到访", "Booth visit"),
    ("fair_target", "活动计划场次", "Fair target"),
    ("fair_queue", "线上展位排队", "Online booth queue"),
    ("fair_chat", "线上展位沟通", "Online booth message"),
    ("verification_settings", "核查阈值", "Verification thresholds"),
    ("verification_scan", "异常扫描", "Anomaly scan"),
    ("verification_finding", "异常信号", "Anomaly signal"),
    ("verification_census", "实名普查", "Census"),
    ("verification_campaign", "核查抽样", "Verification campaign"),
    ("verification_sample", "核查电话", "Verification call"),
    ("job_run", "定时任务", "Scheduled job"),
    ("outside_list", "外部名单比对", "Outside list"),
    ("field_visit", "实地调研", "Field visit"),
    ("assistance_flag", "帮扶类别", "Key-group flag"),
    ("assistance_file", "帮扶档案", "Assistance file"),
    ("assistance_helper", "帮扶责任人", "Assistance helper"),
    ("assistance_measure", "帮扶措施", "Assistance measure"),
    ("assistance_entry", "帮扶台账", "Assistance entry"),
    ("assistance_standard", "帮扶服务标准", "Assistance standard"),
    ("assistance_handover", "离校未就业移交名单", "Unplaced hand-over list"),
    ("assistance_slot", "指导预约时段", "Guidance slot"),
    ("assistance_appointment", "指导预约", "Guidance appointment"),
    ("training", "重点群体培训", "Key-group training"),
    ("training_enrolment", "培训报名", "Training enrolment"),
    ("training_base", "就业能力培训基地", "Training base"),
    ("base_visit", "基地督导", "Base supervision visit"),
    ("training_session", "培训场次", "Training session"),
    ("park", "产业园区", "Industrial park"),
    ("key_employer", "重点用人单位", "Key employer"),
    ("visit", "走访记录", "Visit"),
    ("review_expert", "评审专家", "Review expert"),
    ("review_expert_link", "专家回避关系", "Expert conflict link"),
    ("calendar_day", "工作日历", "Calendar day"),
    ("program_call", "申报批次", "Programme call"),
    ("program_application", "项目申报", "Programme application"),
    ("program_ban", "申报禁入名单", "Application ban"),
    ("program_notice", "项目公示", "Programme notice"),
    ("program_objection", "公示异议", "Notice objection"),
    ("program_followup", "立项跟踪管理", "Funded item follow-up"),
    ("incubation_base", "孵化基地联盟", "Incubation base alliance"),
    ("incubation_project", "基地孵化项目", "Incubated project"),
    ("mentor_studio", "名师工作室", "Mentor studio"),
    ("review_round", "专家评审轮次", "Review round"),
    ("review_assignment", "评审分配", "Review assignment"),
    ("training_class", "培训班", "Training class"),
    ("training_teacher", "就业创业指导教师", "Guidance teacher"),
    ("training_class_participant", "培训班学员", "Class participant"),
    ("training_certificate", "培训证书", "Training certificate"),
    ("mentor", "就业创业导师", "Mentor"),
    ("mentor_posting", "驻校与挂职记录", "Residency or secondment"),
    ("mentor_slot", "导师指导时段", "Mentor slot"),
    ("mentor_booking", "导师指导预约", "Mentor booking"),
    ("service_item", "服务事项", "Service item"),
    ("service_request", "服务办件", "Service request"),
    ("service_consultation", "咨询台账", "Consultation"),
    ("service_faq", "常见问题", "FAQ entry"),
    ("service_handbook", "业务办理操作手册", "Handbook section"),
    ("service_video", "微视频", "Micro-video"),
    ("service_request_material", "申请材料", "Request material"),
    ("course", "课程资源", "Course"),
    ("course_file", "课程文件", "Course file"),
    ("plan", "工作台账", "Plan"),
    ("plan_measure", "工作台账措施", "Plan measure"),
    ("plan_return", "四到位情况", "Work-conditions return"),
    ("plan_contingency", "疫情防控应急预案", "Epidemic contingency plan"),
    ("quality_report", "就业质量年度报告", "Employment quality report"),
    ("quality_report_deadline", "质量报告提交截止日期", "Quality report due date"),
    ("portal_article", "门户稿件", "Portal article"),
    ("portal_document", "门户附件", "Portal document"),
    ("archive_centre", "人才服务机构", "Talent service centre"),
    ("archive_transfer", "档案转递", "Archive transfer"),
    ("archive_batch", "档案转递批次", "Archive transfer batch"),
];

/// (entity where the word differs by entity, or "", key, zh, en).
type Named = (&'static str, &'static str, &'static str, &'static str);

/// Actions (操作).
const ACTIONS: &[Named] = &[
    ("", "create", "新增", "Create"),
    ("", "update", "修改", "Update"),
    ("", "login", "登录", "Sign-in"),
    ("", "login_failed", "登录失败", "Failed sign-in"),
    ("", "logout", "退出登录", "Sign-out"),
    ("", "change_password", "修改密码", "Password change"),
    ("", "end_session", "结束会话", "Session ended"),
    ("", "end_other_sessions", "结束其他会话", "Other sessions ended"),
    ("", "record", "登记", "Record"),
    ("", "import", "导入", "Import"),
    ("", "attach", "上传材料", "Attach"),
    ("", "confirm", "毕业生确认", "Confirmed by the graduate"),
    ("", "dispute", "毕业生提出异议", "Disputed by the graduate"),
    ("", "send", "发送", "Send"),
    ("", "read", "标记已阅", "Mark read"),
    ("", "issue", "签发", "Issue"),
    ("", "revoke", "吊销", "Revoke"),
    ("", "register", "注册", "Register"),
    ("", "review", "审核", "Review"),
    ("", "record_from_destination", "随毕业去向登记", "Recorded from a destination"),
    ("", "renew", "换新", "Renew"),
    ("", "seed", "导入基础数据", "Seed"),
    ("", "generate", "生成", "Generate"),
    ("", "delete", "删除", "Delete"),
    ("", kernel::audit::VIEWED, "查看个人信息", "Viewed personal data"),
    ("posting", "withdraw", "撤回岗位", "Withdraw"),
    ("plan_measure", "remind", "发送截止提醒", "Deadline reminder sent"),
    ("plan_return", "sign", "校领导签发", "Signed by a school leader"),
    ("plan_return", "accept", "审核通过", "Accepted"),
    ("plan_return", "return", "退回", "Returned"),
    ("fair", "status", "变更活动状态", "Change status"),
    ("portal_article", "submit", "提交审核", "Submitted for review"),
    ("portal_article", "publish", "审核发布", "Published"),
    ("portal_article", "return", "退回修改", "Returned"),
    ("portal_article", "recommend", "推荐教育部", "Recommended to the Ministry"),
    ("portal_article", "unpublish", "撤下", "Unpublished"),
    ("portal_article", "cover", "更换封面", "Cover changed"),
    ("fair_booth", "move_up", "候补转审核", "Moved up from the waiting list"),
    ("fair_booth", "check_in", "单位签到", "Employer checked in"),
    ("fair_registration", "move_up", "候补转报名", "Moved up from the waiting list"),
    ("fair_registration", "cancel", "取消报名", "Cancel"),
    ("fair_registration", "check_in", "现场签到", "Checked in"),
    ("fair_target", "target", "设定计划场次", "Set target"),
    ("fair_booth", "go_online", "展位上线", "Booth online"),
    ("fair_booth", "go_offline", "展位下线", "Booth offline"),
    ("fair_queue", "join", "加入排队", "Join the queue"),
    ("fair_queue", "leave", "离开排队", "Leave the queue"),
    ("fair_queue", "call", "叫号", "Call"),
    ("verification_finding", "dismiss", "排除", "Dismiss"),
    ("verification_finding", "reopen", "数据变化，重新提示", "Reopened: figures changed"),
    ("verification_finding", "answer", "高校说明情况", "Answered by the institution"),
    ("verification_finding", "take", "纳入核查", "Taken into a campaign"),
    ("verification_campaign", "close", "结束核查", "Close"),
    ("verification_sample", "check", "记录核查结果", "Record a call's outcome"),
    ("destination", "correct", "核查更正", "Corrected after verification"),
    ("job_run", "claim", "领取当日任务", "Claim the day's run"),
    ("job_run", "finish", "任务完成", "Finish"),
    ("job_run", "fail", "任务失败", "Fail"),
    ("field_visit", "add_document", "上传调研材料", "Document added"),
    ("assistance_file", "view", "查看帮扶档案", "Viewed the file"),
    ("assistance_flag", "remove", "移出帮扶类别", "Removed from the category"),
    ("assistance_helper", "assign", "指定帮扶责任人", "Helper assigned"),
    ("assistance_helper", "unassign", "取消帮扶责任人", "Helper removed"),
    ("assistance_measure", "done", "措施完成", "Measure done"),
    ("assistance_measure", "dropped", "措施放弃", "Measure dropped"),
    ("assistance_entry", "answer", "毕业生回复推介", "Answered by the graduate"),
    ("assistance_handover", "export", "导出移交名单", "Exported"),
    ("assistance_slot", "cancel", "取消时段", "Slot cancelled"),
    ("assistance_appointment", "held", "指导已进行", "Held"),
    ("assistance_appointment", "missed", "预约未到", "Missed"),
    ("assistance_appointment", "cancelled", "毕业生取消预约", "Cancelled by the graduate"),
    ("assistance_appointment", "moved", "毕业生改约", "Moved by the graduate"),
    ("assistance_appointment", "withdrawn", "时段取消，预约撤回", "Withdrawn: slot cancelled"),
    ("assistance_appointment", "remind", "发送预约提醒", "Reminder sent"),
    ("training", "attendance", "培训签到", "Attendance taken"),
    ("training_enrolment", "complete", "评定结业", "Completed"),
    ("base_visit", "close", "整改销号", "Rectification closed"),
    ("review_expert", "deactivate", "停用专家", "Deactivate"),
    ("review_expert", "reactivate", "恢复专家", "Reactivate"),
    ("training", "cancel", "取消培训", "Training cancelled"),
    ("training", "check_in", "扫码签到", "Checked in"),
    ("training_session", "move", "调整场次", "Session moved"),
    ("training_class_participant", "enrol", "培训班报名", "Enrolled"),
    ("training_class_participant", "check_in", "培训班签到", "Checked in"),
    ("training_class_participant", "assess", "记录考核结果", "Assessed"),
    ("training_certificate", "issue", "结业发证", "Certificate issued"),
    ("training_teacher", "deactivate", "移出师资名单", "Removed from the list"),
    ("course", "withdraw", "撤下课程", "Course withdrawn"),
    ("program_call", "open", "开放申报", "Opened"),
    ("program_call", "close", "截止申报", "Closed"),
    ("program_application", "submit", "提交申报", "Submitted"),
    ("program_application", "withdraw", "撤回申报", "Withdrawn"),
    ("program_application", "recommend", "学校推荐", "Recommended by the institution"),
    ("program_application", "outcome", "评审结论", "Outcome set"),
    ("program_application", "revoke", "撤销立项", "Revoked"),
    ("program_notice", "result", "公布结果", "Result published"),
    ("program_objection", "handle", "处理异议", "Objection handled"),
    ("program_application", "rereview", "退回重评", "Sent back for re-review"),
    ("program_application", "decide", "评审决定", "Review decision"),
    ("review_round", "assign", "分配专家", "Experts assigned"),
    ("review_round", "decide", "确定评审结果", "Decided"),
    ("review_assignment", "replace", "更换专家", "Expert replaced"),
    ("review_assignment", "submit", "提交评分", "Marks submitted"),
    ("review_assignment", "recuse", "专家回避", "Recused"),
    ("application", "apply", "投递", "Apply"),
    ("application", "move", "更新进度", "Move to a stage"),
    ("interview", "schedule", "安排面试", "Propose"),
    ("key_employer", "designate", "认定", "Designate"),
    ("key_employer", "issue_plaque", "授牌", "Issue the plaque"),
    ("employer", "merge", "合并重复单位", "Merge a duplicate"),
    ("employer", "undo_merge", "撤销合并", "Undo a merge"),
    ("interview", "answer", "答复面试", "Answer"),
    ("agreement", "invite", "单位发起签约", "Invite"),
    ("agreement", "withdraw", "撤回邀约", "Withdraw"),
    ("agreement", "decline", "拒绝", "Decline"),
    ("agreement", "accept", "接受并签名", "Accept and sign"),
    ("agreement", "college_approve", "学院审核通过", "Approve (college)"),
    ("agreement", "college_reject", "学院退回", "Send back (college)"),
    ("agreement", "seal", "单位盖章", "Seal"),
    ("agreement", "confirm", "学校确认生效", "Confirm (school)"),
    ("agreement", "school_reject", "学校退回", "Send back (school)"),
    ("agreement", "request_cancel", "申请解约", "Ask to cancel"),
    ("agreement", "college_approve_cancel", "学院同意解约", "Agree to cancel (college)"),
    ("agreement", "employer_approve_cancel", "单位同意解约", "Agree to cancel (employer)"),
    ("agreement", "school_approve_cancel", "学校同意解约", "Agree to cancel (school)"),
    ("agreement", "refuse_cancel", "不同意解约", "Refuse the cancellation"),
    ("mentor", "approve", "审核通过并发布", "Approve and publish"),
    ("mentor", "reject", "审核不通过", "Reject"),
    ("mentor", "keep", "年度考核：保留", "Yearly review: keep"),
    ("mentor", "remove", "年度考核：移出", "Yearly review: remove"),
    ("mentor_slot", "cancel", "取消时段", "Slot cancelled"),
    ("service_request", "approve", "审核通过转下一环节", "Approved to the next step"),
    ("service_request", "return", "退回补正", "Returned for more material"),
    ("service_request", "resubmit", "补正后重新提交", "Resubmitted"),
    ("service_request", "refuse", "不予办理", "Refused"),
    ("service_request", "complete", "办结", "Completed"),
    ("service_request", "escalate", "超时上报", "Escalated, overdue"),
    ("mentor_booking", "held", "指导已进行", "Held"),
    ("mentor_booking", "missed", "预约未到", "Missed"),
    ("mentor_booking", "cancelled", "毕业生取消预约", "Cancelled by the graduate"),
    ("mentor_booking", "withdrawn", "时段取消，预约撤回", "Withdrawn: slot cancelled"),
    ("mentor_booking", "remind", "发送预约提醒", "Reminder sent"),
    ("quality_report", "upload", "提交报告", "Report submitted"),
    ("quality_report", "replace", "替换报告", "Report replaced"),
    ("quality_report", "publish", "发布报告", "Report published"),
    ("quality_report_deadline", "set", "设定截止日期", "Due date set"),
    ("archive_transfer", "propose", "推荐接收单位", "Receivers proposed"),
    ("archive_transfer", "confirm", "确认接收单位", "Receiver confirmed"),
    ("archive_transfer", "seal", "装袋封存", "Sealed"),
    ("archive_transfer", "dispatch", "寄出", "Dispatched"),
    ("archive_transfer", "receive", "接收单位签收", "Received"),
    ("archive_transfer", "return", "退回", "Returned"),
    ("archive_transfer", "remind", "提醒重新寄送退回档案", "Reminder to resend returned archives"),
    ("archive_batch", "remind", "发送批次截止提醒", "Batch deadline reminder sent"),
];

/// Sign-ins (登录记录): kept apart from data changes on the audit page.
pub const SIGN_INS: [&str; 3] = ["login", "login_failed", "logout"];

/// Views of personal data (查看个人信息): kept apart from both.
pub const VIEWS: [&str; 1] = [kernel::audit::VIEWED];

/// Fields of before and after images.
const FIELDS: &[Named] = &[
    ("posting", "title", "岗位名称", "Title"),
    ("application", "stage", "进度", "Stage"),
    ("application", "posting_id", "岗位", "Posting"),
    ("posting", "headcount", "招聘人数", "Openings"),
    ("posting", "deadline", "截止日期", "Apply by"),
    ("posting", "review_reason", "审核意见", "Reviewer's reason"),
    ("graduate", "name", "姓名", "Name"),
    ("", "category_code", "毕业去向类别", "Destination category"),
    ("", "employer_name", "单位名称", "Employer name"),
    ("", "credit_code", "统一社会信用代码", "Credit code"),
    ("", "region_code", "单位所在地", "Employer region"),
    ("", "signed_on", "签约日期", "Signed on"),
    ("", "confirmation", "确认状态", "Confirmation"),
    ("", "dispute_reason", "异议理由", "Reason for the dispute"),
    ("", "correction", "更正说明", "Reason for the correction"),
    ("", "explanation", "情况说明", "Explanation"),
    ("", "status", "状态", "Status"),
    ("", "student_no", "学号", "Student number"),
    ("", "id_number", "身份证号", "ID number"),
    ("", "name", "名称", "Name"),
    ("", "gender", "性别", "Gender"),
    ("", "birth_date", "出生日期", "Date of birth"),
    ("", "ethnicity_code", "民族", "Ethnicity"),
    ("", "political_code", "政治面貌", "Political status"),
    ("", "origin_region_code", "生源地", "Region of origin"),
    ("", "urban_rural", "城乡生源", "Urban or rural"),
    ("", "education_level", "学历层次", "Education level"),
    ("", "key_groups", "重点群体", "Key groups"),
    ("", "phone", "手机号码", "Mobile number"),
    ("", "institution_id", "院校", "Institution"),
    ("", "college_id", "院系", "College"),
    ("", "major_id", "专业", "Major"),
    ("", "code", "代码", "Code"),
    ("", "level", "层次", "Level"),
    ("", "cohort", "届别", "Cohort"),
    ("", "file", "文件", "File"),
    ("", "rows", "行数", "Rows"),
    ("", "new", "新增", "New"),
    ("", "updated", "更新", "Updated"),
    ("", "unchanged", "未变", "Unchanged"),
    ("", "kind", "材料类型", "Kind"),
    ("", "number", "协议编号", "Agreement number"),
    ("", "display_name", "显示名称", "Display name"),
    ("", "role", "角色", "Role"),
    ("", "active", "启用", "Active"),
    ("", "sessions_ended", "结束的会话", "Sessions ended"),
    ("", "api_tokens_revoked", "吊销的 API 令牌", "API tokens revoked"),
    ("", "topic", "主题", "Topic"),
    ("", "count", "数量", "Count"),
    ("", "days", "保留天数", "Days kept"),
    ("", "message", "内容", "Message"),
    ("", "park_id", "园区", "Park"),
    ("", "field_code", "“三高四新”领域", "Strategy field"),
    ("", "designated_on", "认定日期", "Designated on"),
    ("", "plaque_no", "牌匾编号", "Plaque number"),
    ("", "plaque_issued_on", "授牌日期", "Plaque issued on"),
    ("", "plaque_issued_by", "授牌单位", "Plaque issued by"),
    ("visit", "kind", "走访类型", "Kind of visit"),
    ("", "visited_on", "走访日期", "Visited on"),
    ("", "visitors", "走访人员", "Visitors"),
    ("", "employer_id", "单位", "Employer"),
    ("", "majors", "需求专业", "Majors in demand"),
    ("", "positions", "岗位数", "Positions"),
    ("", "average_pay", "平均月薪", "Average pay"),
    ("", "follow_up", "后续跟进", "Follow-up"),
    ("", "merge_id", "合并编号", "Merge number"),
    ("", "merged_id", "被合并的单位", "Merged employer"),
    ("", "moved", "转移的记录", "Records moved"),
    ("assistance_flag", "category_code", "帮扶类别", "Category"),
    ("", "source", "来源", "Source"),
    ("", "reason", "理由", "Reason"),
    ("", "difficulties", "困难情况", "Difficulties"),
    ("", "intentions", "就业意向", "Intentions"),
    ("", "contacts", "联系方式", "Contacts"),
    ("", "goal", "目标", "Goal"),
    ("", "measure", "措施", "Measure"),
    ("", "due_on", "完成期限", "Due"),
    ("", "state", "状态", "State"),
    ("", "account_id", "账号", "Account"),
    ("assistance_entry", "kind_code", "帮扶类型", "Kind"),
    ("assistance_entry", "at", "帮扶日期", "Date"),
    ("assistance_entry", "note", "情况记录", "Note"),
    ("assistance_entry", "posting_id", "推介岗位", "Posting"),
    ("assistance_entry", "fair_id", "招聘活动", "Fair"),
    ("assistance_entry", "amount_yuan", "补贴金额（元）", "Subsidy (yuan)"),
    ("assistance_entry", "answer", "毕业生回复", "Graduate's answer"),
    ("assistance_handover", "full_numbers", "完整证件号", "Full numbers"),
    ("quality_report", "file_name", "报告文件", "Report file"),
    ("quality_report", "size", "文件大小（字节）", "File size (bytes)"),
    ("quality_report_deadline", "due_on", "提交截止日期", "Due date"),
];

/// How a personal number is masked.
type Mask = fn(&str) -> String;

/// Fields whose values are personal numbers, masked when shown.
pub const MASKED: [(&str, Mask); 2] = [("id_number", kernel::mask::id_number), ("phone", kernel::mask::phone)];

/// The name of `key` said of `entity`, or of any entity.
fn of_entity(table: &'static [Named], entity: &str, key: &str) -> Option<(&'static str, &'static str)> {
    let find = |e: &str| table.iter().find(|(te, k, _, _)| *te == e && *k == key);
    find(entity).or_else(|| find("")).map(|(_, _, zh, en)| (*zh, *en))
}

/// An entity type's name.
pub fn entity(key: &str, l: Locale) -> &str {
    ENTITIES.iter().find(|(k, _, _)| *k == key).map(|(_, zh, en)| l.pick(zh, en)).unwrap_or(key)
}

/// An action's name, as said of `entity`.
pub fn action<'a>(entity: &str, key: &'a str, l: Locale) -> &'a str {
    of_entity(ACTIONS, entity, key).map(|(zh, en)| l.pick(zh, en)).unwrap_or(key)
}

/// A field's name in an image of `entity`.
pub fn field<'a>(entity: &str, key: &'a str, l: Locale) -> &'a str {
    of_entity(FIELDS, entity, key).map(|(zh, en)| l.pick(zh, en)).unwrap_or(key)
}

/// Whether the entity type and the action have names, for the check that every written one has.
pub fn knows(entity: &str, action: &str) -> bool {
    ENTITIES.iter().any(|(k, _, _)| *k == entity) && of_entity(ACTIONS, entity, action).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_in_both_languages_and_unknown_keys_show_as_written() {
        assert_eq!(entity("destination", Locale::Zh), "毕业去向");
        assert_eq!(entity("destination", Locale::En), "Destination");
        assert_eq!(action("destination", "confirm", Locale::Zh), "毕业生确认");
        assert_eq!(action("agreement", "confirm", Locale::Zh), "学校确认生效");
        assert_eq!(action("agreement", "login", Locale::En), "Sign-in");
        assert_eq!(field("destination", "employer_name", Locale::En), "Employer name");
        assert_eq!(field("graduate", "name", Locale::Zh), "姓名");
        assert_eq!(field("college", "name", Locale::Zh), "名称");
        assert_eq!(entity("something_new", Locale::Zh), "something_new");
        assert_eq!(action("x", "check_in", Locale::Zh), "check_in");
    }

    #[test]
    fn keys_are_named_once() {
        for (i, (k, _, _)) in ENTITIES.iter().enumerate() {
            assert!(!ENTITIES[i + 1..].iter().any(|(o, _, _)| o == k), "{k}");
        }
        for table in [ACTIONS, FIELDS] {
            for (i, (e, k, _, _)) in table.iter().enumerate() {
                assert!(!table[i + 1..].iter().any(|(oe, o, _, _)| oe == e && o == k), "{e} {k}");
            }
        }
    }
}
