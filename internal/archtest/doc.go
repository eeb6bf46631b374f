// Package archtest holds the tests that keep the shape of the code: the import
// rules of the design (core imports only the standard library, internal never
// imports modules, modules never import each other) and one package comment
// per package saying what it is for.
package archtest
