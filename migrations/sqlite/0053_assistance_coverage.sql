-- Coverage of the service standard summed in SQL (issue 14): each graduate's
-- entries of one kind are counted from this index alone, and its last contact
-- read from its end, without reading the ledger's rows.
CREATE INDEX assistance_entries_kind ON assistance_entries (graduate_id, kind_code, at);
