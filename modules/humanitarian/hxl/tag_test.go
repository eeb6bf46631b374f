package hxl

import (
	"errors"
	"slices"
	"testing"
)

func TestParseColumn(t *testing.T) {
	tests := []struct {
		in    string
		spec  string
		attrs []string
		ok    bool
	}{
		{"#org", "#org", nil, true},
		{"#org+impl+name", "#org+impl+name", []string{"impl", "name"}, true},
		{"#ORG+Impl", "#org+impl", []string{"impl"}, true},
		{"  #targeted +f +children ", "#targeted+f+children", []string{"f", "children"}, true},
		{"#adm1+code", "#adm1+code", []string{"code"}, true},
		{"#x_pcode+adm3", "#x_pcode+adm3", []string{"adm3"}, true},
		{"#org+impl+impl", "#org+impl", []string{"impl"}, true}, // an attribute counts once
		{"org", "", nil, false},
		{"#", "", nil, false},
		{"#1org", "", nil, false},
		{"#_org", "", nil, false},
		{"#org+", "", nil, false},
		{"#org+1st", "", nil, false},
		{"#org-impl", "", nil, false}, // exclusions are for patterns, not columns
		{"#org impl", "", nil, false},
		{"#org+impl name", "", nil, false},
		{"# org", "", nil, false},
		{"#sector#org", "", nil, false},
	}
	for _, tt := range tests {
		c, ok := ParseColumn(tt.in)
		if ok != tt.ok {
			t.Errorf("ParseColumn(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if c.Spec() != tt.spec || !slices.Equal(c.Attributes, tt.attrs) {
			t.Errorf("ParseColumn(%q) = %q %v, want %q %v", tt.in, c.Spec(), c.Attributes, tt.spec, tt.attrs)
		}
	}
}

func TestPatternMatch(t *testing.T) {
	col := func(s string) Column {
		c, ok := ParseColumn(s)
		if !ok {
			t.Fatalf("bad column %q", s)
		}
		return c
	}
	tests := []struct {
		pattern, column string
		want            bool
	}{
		{"#org", "#org+impl+name", true},
		{"#org+impl", "#org+impl+name", true},
		{"#org+impl", "#org+name+impl", true}, // order does not matter
		{"#org+name+impl", "#org+impl+name", true},
		{"#ORG+IMPL", "#org+impl", true}, // nor case
		{"#org+impl", "#Org+Impl+Code", true},
		{"#org+impl", "#org+funding", false},
		{"#org+impl", "#sector+impl", false},
		{"#adm1+code", "#adm1+code", true},
		{"#adm1+code", "#adm1+name", false},
		{"#adm1", "#adm10", false}, // a tag is a whole token
		{"#targeted-f-m", "#targeted", true},
		{"#targeted-f-m", "#targeted+children", true},
		{"#targeted-f", "#targeted+f", false},
		{"#adm1!", "#adm1", true},
		{"#adm1!", "#adm1+code", false},
		{"#adm1+code!", "#adm1+code", true},
		{"#x_custom", "#x_custom+a", true},
	}
	for _, tt := range tests {
		if got := MustPattern(tt.pattern).Match(col(tt.column)); got != tt.want {
			t.Errorf("%s matches %s = %v, want %v", tt.pattern, tt.column, got, tt.want)
		}
	}
	if MustPattern("#org").Match(Column{Header: "Organisation"}) {
		t.Error("a pattern matched an untagged column")
	}
}

func TestParsePatternRefusesMalformed(t *testing.T) {
	for _, s := range []string{"", "org", "#", "#org+", "#org*impl", "#org-x!", "#org!!", "#1"} {
		_, err := ParsePattern(s)
		var p *Problem
		if !errors.As(err, &p) || p.Code != CodeBadPattern {
			t.Errorf("ParsePattern(%q) err = %v, want %s", s, err, CodeBadPattern)
		}
	}
	if got := MustPattern(" #Targeted +F -Children ").String(); got != "#targeted+f-children" {
		t.Errorf("String = %q", got)
	}
}
