package geo

import "fmt"

// Error is a problem with input or options that a person may see. Code is
// stable ("geojson.lat_range"), Path names where it is (a JSON path such as
// "features[3].geometry.coordinates[0][2]" or an option name) and Value
// holds the offending value, so the module can translate the message.
type Error struct {
	Code  string
	Path  string
	Value string
}

func (e *Error) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("geo: %s at %s", e.Code, e.Path)
	}
	return fmt.Sprintf("geo: %s at %s: %s", e.Code, e.Path, e.Value)
}

func newError(code, path, format string, args ...any) *Error {
	return &Error{Code: code, Path: path, Value: fmt.Sprintf(format, args...)}
}
