//! Calls (批次): their dates, eligibility, quotas, form and rubric, and the applications made to them.
