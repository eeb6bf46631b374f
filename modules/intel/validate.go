package intel

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The official STIX 2.1 JSON schemas, vendored unchanged from
// oasis-open/cti-stix2-json-schemas (commit 3bf9e69, BSD-3-Clause, see
// stixschema/LICENSE). They are compiled once, offline: their $ids name
// raw.githubusercontent.com, which a node never asks.
//
//go:embed stixschema/schemas
var stixSchemaFS embed.FS

const schemaBase = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"

// validator holds one compiled schema per STIX type the schemas define, and
// the cores that custom types are checked against.
type validator struct {
	byType map[string]*jsonschema.Schema
	sdo    *jsonschema.Schema // core.json: custom domain objects
	sco    *jsonschema.Schema // cyber-observable-core.json: custom observables
}

var (
	validatorOnce sync.Once
	theValidator  *validator
	validatorErr  error
)

func stixValidator() (*validator, error) {
	validatorOnce.Do(func() { theValidator, validatorErr = compileSchemas() })
	return theValidator, validatorErr
}

func compileSchemas() (*validator, error) {
	c := jsonschema.NewCompiler()
	var files []string
	err := fs.WalkDir(stixSchemaFS, "stixschema/schemas", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".json" {
			return err
		}
		b, err := stixSchemaFS.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		rel := strings.TrimPrefix(p, "stixschema/schemas/")
		if err := c.AddResource(schemaBase+rel, doc); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		files = append(files, rel)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("intel: schemas: %w", err)
	}
	v := &validator{byType: map[string]*jsonschema.Schema{}}
	for _, rel := range files {
		dir, name := path.Split(rel)
		typ := strings.TrimSuffix(name, ".json")
		switch {
		case dir == "common/" && typ == "marking-definition", dir == "common/" && typ == "extension-definition", dir == "common/" && typ == "language-content", dir == "common/" && typ == "bundle":
		case dir == "common/":
			continue
		}
		s, err := c.Compile(schemaBase + rel)
		if err != nil {
			return nil, fmt.Errorf("intel: schema %s: %w", rel, err)
		}
		v.byType[typ] = s
	}
	if v.sdo, err = c.Compile(schemaBase + "common/core.json"); err != nil {
		return nil, fmt.Errorf("intel: schema core: %w", err)
	}
	if v.sco, err = c.Compile(schemaBase + "common/cyber-observable-core.json"); err != nil {
		return nil, fmt.Errorf("intel: schema observable core: %w", err)
	}
	return v, nil
}

// validate checks raw against the schema of its type. Types the schemas do
// not know are custom objects: an x- type or any other name is checked
// against the core its id says it follows.
func (v *validator) validate(typ string, raw []byte, observable bool) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	s := v.byType[typ]
	if s == nil {
		s = v.sdo
		if observable {
			s = v.sco
		}
	}
	err = s.Validate(doc)
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		return schemaProblem(ve)
	}
	return err
}

// schemaProblem turns the validator's tree of causes into one sentence that
// names the property and the reason, from the deepest cause: "allOf failed"
// says nothing, "valid_from: … does not match pattern" says what to fix.
func schemaProblem(ve *jsonschema.ValidationError) error {
	leaf := ve
	for len(leaf.Causes) > 0 {
		// Prefer the cause that points deepest into the object.
		next := leaf.Causes[0]
		for _, c := range leaf.Causes[1:] {
			if len(c.InstanceLocation) > len(next.InstanceLocation) {
				next = c
			}
		}
		leaf = next
	}
	field := strings.Join(leaf.InstanceLocation, ".")
	if field == "" {
		field = "(object)"
	}
	msg := leaf.ErrorKind.LocalizedString(printer)
	return &fieldError{Field: field, Reason: "does not follow the STIX 2.1 schema: " + msg}
}

var printer = message.NewPrinter(language.English)

// fieldError is why one object was refused: the property and the reason, in
// the words TAXII clients show their users.
type fieldError struct {
	Field  string
	Reason string
}

func (e *fieldError) Error() string { return e.Field + ": " + e.Reason }

func problem(field, format string, args ...any) error {
	return &fieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
