package web

// Label is the message key that names field k in the form's error summary:
// the one given with the labels template function, or field.k. A form whose
// field shares a name with another meaning (the "title" of a process is not
// a person's job title) names its own.
func (f Form) Label(k string) string {
	if l, ok := f.Labels[k]; ok {
		return l
	}
	return "field." + k
}

// withLabels returns the form with message keys naming some of its fields,
// given as pairs; the labels template function.
func withLabels(f Form, kv ...string) Form {
	l := make(map[string]string, len(f.Labels)+len(kv)/2)
	for k, v := range f.Labels {
		l[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		l[kv[i]] = kv[i+1]
	}
	f.Labels = l
	return f
}
