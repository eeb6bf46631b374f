package capacity

import _ "embed"

// SampleIndicators is a small sample of real indicator data for the
// countries of the region, each value with its source and a note saying
// where the figure was read and what is not yet checked (sample.csv).
//
//go:embed indicators/sample.csv
var SampleIndicators []byte
