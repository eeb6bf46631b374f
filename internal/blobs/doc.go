// Package blobs keeps large files (evidence can be gigabytes) by content: a
// file is named by the SHA-256 of its bytes, so the same bytes stored twice are
// one object, and a name says exactly what it holds.
//
// Put streams: it hashes while it writes and never holds a whole file in
// memory, and a file is visible under its hash only once it is complete (a
// crash or a refused upload leaves nothing under a hash name).
//
// Two stores implement it. FS keeps files under <data>/blobs/ab/cd/<sha256>,
// the default, right for one node on one machine. S3 keeps them in an
// S3-compatible bucket (AWS, MinIO, Ceph, versitygw); with PostgreSQL and
// several replicas behind a load balancer it is what makes the replicas share
// files, the way the database makes them share rows: a file one replica took
// in must be readable from all of them, which a local directory is not.
package blobs
