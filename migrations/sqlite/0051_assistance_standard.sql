-- The default service standard, "1131": one policy briefing (政策宣介, kind 01),
-- one career guidance (职业指导, 02), three job referrals (岗位推介, 03), one
-- training or traineeship (职业培训或就业见习, 04). A province changes it as data.
INSERT INTO assistance_standards (cohort_year, kind_code, required) VALUES (0, '01', 1), (0, '02', 1), (0, '03', 3), (0, '04', 1);
