-- Whether each graduate with ledger entries meets its cohort's service
-- standard (issue 14), kept beside the ledger so the register's "standard met /
-- unmet" filter is one look-up per graduate instead of a count per item. Every
-- ledger write refreshes its graduate's row and every change of a standard its
-- cohorts' rows, in the same transaction; a graduate without a row has no
-- entries (met only under an empty standard, which the pages treat apart).
CREATE TABLE assistance_standing (
    graduate_id INTEGER PRIMARY KEY REFERENCES graduates (id),
    cohort_year INTEGER NOT NULL,
    met INTEGER NOT NULL
);
CREATE INDEX assistance_standing_met ON assistance_standing (cohort_year, met, graduate_id);

-- The ledger as it stands, judged by the cohort's own standard or else the default (cohort 0).
INSERT INTO assistance_standing (graduate_id, cohort_year, met)
SELECT g.id, g.cohort_year,
       CASE WHEN NOT EXISTS (
           SELECT 1 FROM assistance_standards s
           WHERE s.required > 0
             AND s.cohort_year = CASE WHEN g.cohort_year <> 0 AND EXISTS (
                     SELECT 1 FROM assistance_standards o WHERE o.cohort_year = g.cohort_year)
                 THEN g.cohort_year ELSE 0 END
             AND (SELECT COUNT(*) FROM assistance_entries e
                  WHERE e.graduate_id = g.id AND e.kind_code = s.kind_code) < s.required
       ) THEN 1 ELSE 0 END
FROM graduates g
WHERE g.id IN (SELECT graduate_id FROM assistance_entries);
