-- Indicators of the digital divide and of cyber maturity (ITU's ICT
-- Development Index, the Global Cybersecurity Index, the NCSI, a ministry's
-- own), and their observations: one value per indicator, country and year.
-- Importing the same indicator, country and year again replaces the value;
-- org_id is the organisation that imported it. value_text is the figure as
-- written in the file, shown as it was given (no precision added); value is
-- the same number for ranking and charts. cap_indicator_latest holds each
-- country's latest value per indicator, kept by the import, so that a
-- profile ranks a country without scanning every year of every country.
CREATE TABLE cap_indicators (
	code TEXT PRIMARY KEY,
	name_en TEXT NOT NULL,
	name_id TEXT NOT NULL DEFAULT '',
	unit TEXT NOT NULL,
	higher_better BOOLEAN NOT NULL,
	topic TEXT NOT NULL DEFAULT '',
	org_id TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

CREATE TABLE cap_observations (
	indicator TEXT NOT NULL REFERENCES cap_indicators (code),
	country TEXT NOT NULL,
	year INTEGER NOT NULL,
	value DOUBLE PRECISION NOT NULL,
	value_text TEXT NOT NULL,
	unit TEXT NOT NULL,
	source TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	org_id TEXT NOT NULL,
	imported_at TIMESTAMP NOT NULL,
	PRIMARY KEY (indicator, country, year)
);
CREATE INDEX cap_observations_country ON cap_observations (country, indicator, year);

CREATE TABLE cap_indicator_latest (
	indicator TEXT NOT NULL,
	country TEXT NOT NULL,
	year INTEGER NOT NULL,
	value DOUBLE PRECISION NOT NULL,
	PRIMARY KEY (indicator, country)
);
