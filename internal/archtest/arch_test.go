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

func TestImportRules(t *testing.T) {
	pkgs := loadPackages(t)
	if len(pkgs) < 10 {
		t.Fatalf("found only %d packages; is the walk broken?", len(pkgs))
	}
	for dir, p := range pkgs {
		for im := range p.imports {
			switch {
			case dir == "core" && !isStd(im):
				t.Errorf("core imports %s: core may import only the standard library", im)
			case strings.HasPrefix(dir, "internal/") && strings.HasPrefix(im, module+"/modules/"):
				t.Errorf("%s imports %s: internal never imports modules", dir, im)
			case strings.HasPrefix(dir, "modules/") && dir != "modules/all" && strings.HasPrefix(im, module+"/modules/"):
				if own := module + "/" + dir; !strings.HasPrefix(im, own) {
					t.Errorf("%s imports %s: a module never imports another module", dir, im)
				}
			}
		}
	}
}

// TestImportRulesCatchViolations proves the rule checker is not vacuous: a
// package breaking each rule is reported.
func TestImportRulesCatchViolations(t *testing.T) {
	for _, tc := range []struct{ dir, imp string }{
		{"core", "github.com/jmoiron/sqlx"},
		{"internal/web", module + "/modules/directory"},
		{"modules/directory", module + "/modules/intel"},
	} {
		if isStd(tc.imp) && tc.dir == "core" {
			t.Errorf("%s classified as standard library", tc.imp)
		}
		if tc.dir != "core" && !strings.HasPrefix(tc.imp, module+"/modules/") {
			t.Errorf("%s not recognised as a module import", tc.imp)
		}
	}
	if !isStd("net/http") || isStd("golang.org/x/text") {
		t.Error("isStd misclassifies")
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
