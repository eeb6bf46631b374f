-- The map reads every located report of an emergency the reader may see:
-- an index holding what it reads (status, category, time, position) lets
-- it read the index alone, a fraction of the table's pages.
CREATE INDEX hum_reports_points ON hum_reports (emergency_id, status, category, occurred_at, lat, lon);
