-- Who does what where (3W/4W): an emergency's activities, each written by an
-- organisation on this node (org_id, org_handle) in a role, with at most one
-- partner that is not on Entente named in free text. The place is a P-code
-- of the gazetteer and its level. People counts: the total, and by women,
-- men, girls and boys where known (NULL: not given).
CREATE TABLE hum_activities (
	id TEXT PRIMARY KEY,
	emergency_id TEXT NOT NULL REFERENCES hum_emergencies (id) ON DELETE CASCADE,
	org_id TEXT NOT NULL,
	org_handle TEXT NOT NULL,
	role TEXT NOT NULL,
	partner TEXT NOT NULL DEFAULT '',
	partner_role TEXT NOT NULL DEFAULT '',
	sector TEXT NOT NULL,
	activity TEXT NOT NULL,
	pcode TEXT NOT NULL,
	level INTEGER NOT NULL,
	start_on TEXT NOT NULL,
	end_on TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	targeted BIGINT NOT NULL DEFAULT 0,
	targeted_women BIGINT,
	targeted_men BIGINT,
	targeted_girls BIGINT,
	targeted_boys BIGINT,
	reached BIGINT NOT NULL DEFAULT 0,
	reached_women BIGINT,
	reached_men BIGINT,
	reached_girls BIGINT,
	reached_boys BIGINT,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX hum_activities_emergency ON hum_activities (emergency_id, sector, status);
CREATE INDEX hum_activities_org ON hum_activities (org_id);
