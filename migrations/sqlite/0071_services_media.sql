-- One-stop services' media (issue 16): the micro-videos (微视频) the
-- province keeps with the handbook, each an MP4 in the file store by its
-- SHA-256, optionally tied to a service item by code; and the materials
-- (申请材料) a graduate attaches to a request, PDF or image, shown only to
-- the graduate and the offices handling it.
CREATE TABLE service_videos (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    item_code TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by_label TEXT NOT NULL
);

CREATE TABLE service_request_materials (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES service_requests (id),
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX service_request_materials_request ON service_request_materials (request_id, id);
