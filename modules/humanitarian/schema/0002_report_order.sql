-- Lists of reports are newest first by id, under a status or a category:
-- these let a list of an emergency with a hundred thousand reports read
-- only its page.
CREATE INDEX hum_reports_status_id ON hum_reports (emergency_id, status, id);
CREATE INDEX hum_reports_category_id ON hum_reports (emergency_id, category, id);
