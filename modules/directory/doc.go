// Package directory is the node's directory of organisations and the people in
// them: state ministries, CERTs, law enforcement, international secretariats,
// companies, civil society and academia, each with a unique handle, and the
// roles people hold in them. It also tells internal/auth which roles a person
// has, through the RoleLoader interface that auth declares.
package directory
