package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "entente.example/entente"

type pkg struct {
	dir     string // relative to the module root, slash-separated
	imports map[string]bool
	docs    []string // package comments, one per file that has one
	files   int
}

// loadPackages parses every non-test Go file under the module root.
func loadPackages(t *testing.T) map[string]*pkg {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s", root)
	}
	pkgs := map[string]*pkg{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		rel = filepath.ToSlash(rel)
		pk := pkgs[rel]
		if pk == nil {
			pk = &pkg{dir: rel, imports: map[string]bool{}}
			pkgs[rel] = pk
		}
		pk.files++
		if f.Doc != nil {
			pk.docs = append(pk.docs, f.Doc.Text())
		}
		for _, im := range f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			pk.imports[path] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// violation says why a package in dir may not import im, or "".
func violation(dir, im string) string {
	switch {
	case dir == "core" && !isStd(im):
		return "core may import only the standard library"
	case strings.HasPrefix(dir, "internal/") && strings.HasPrefix(im, module+"/modules/"):
		return "internal never imports modules"
	case strings.HasPrefix(dir, "modules/") && dir != "modules/all" && strings.HasPrefix(im, module+"/modules/"):
		// A module is modules/<name> with its subpackages, which may
		// import one another (a library of the module uses another).
		name, _, _ := strings.Cut(strings.TrimPrefix(dir, "modules/"), "/")
		if own := module + "/modules/" + name; im != own && !strings.HasPrefix(im, own+"/") {
			return "a module never imports another module"
		}
	}
	return ""
}

func TestImportRules(t *testing.T) {
	pkgs := loadPackages(t)
	if len(pkgs) < 10 {
		t.Fatalf("found only %d packages; is the walk broken?", len(pkgs))
	}
	for dir, p := range pkgs {
		for im := range p.imports {
			if why := violation(dir, im); why != "" {
				t.Errorf("%s imports %s: %s", dir, im, why)
			}
		}
	}
}

// TestImportRulesCatchViolations proves the rule is not vacuous: each kind of
// violation is reported, and what is allowed is not.
func TestImportRulesCatchViolations(t *testing.T) {
	for _, tc := range []struct {
		dir, imp string
		bad      bool
	}{
		{"core", "github.com/jmoiron/sqlx", true},
		{"core", "net/http", false},
		{"internal/web", module + "/modules/directory", true},
		{"internal/web", module + "/internal/access", false},
		{"modules/directory", module + "/modules/intel", true},
		{"modules/directory", module + "/modules/directorylike", true},
		{"modules/directory", module + "/modules/directory/schema", false},
		{"modules/directory", module + "/internal/federation", false},
		{"modules/all", module + "/modules/directory", false},
		{"modules/exercises/aar", module + "/modules/exercises/scenario", false},
		{"modules/exercises/aar", module + "/modules/exercises", false},
		{"modules/exercises/aar", module + "/modules/intel", true},
		{"modules/exercises/aar", module + "/modules/exercisesx/scenario", true},
	} {
		if got := violation(tc.dir, tc.imp) != ""; got != tc.bad {
			t.Errorf("violation(%s, %s) = %v, want %v", tc.dir, tc.imp, got, tc.bad)
		}
	}
}

func TestEveryPackageHasOnePackageComment(t *testing.T) {
	for dir, p := range loadPackages(t) {
		switch len(p.docs) {
		case 0:
			t.Errorf("%s has no package comment", dir)
		case 1:
			if len(strings.Fields(p.docs[0])) < 8 {
				t.Errorf("%s: the package comment %q is too short to say what the package is for", dir, p.docs[0])
			}
		default:
			t.Errorf("%s has %d package comments; keep one (in doc.go)", dir, len(p.docs))
		}
	}
}
