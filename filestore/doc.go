// Package filestore keeps a baas session in one JSON file, so that it
// outlives the process: a command line tool that logs in once and runs
// many times, or a service on one machine that restarts.
//
//	store, err := filestore.New(filepath.Join(dir, "session.json"))
//	if err != nil {
//		return err // the file, its directory or its lock cannot serve
//	}
//	c, err := baas.New(clientID, baas.WithStorage(store), baas.WithCodeProvider(codes))
//
// The file holds one JSON object of strings, the wx storage names and
// values ("ifx_baas_auth_token", …) as the JS SDK keeps them. New checks the
// file, its directory and its lock at once, so that a storage that cannot
// work fails before a login code is spent.
//
// # Writes
//
// A Set or Delete that changes something replaces the file atomically, with
// mode 0600, since it holds the auth token: a write that fails changes
// nothing, on disk or in memory. On Linux the new version is written to a
// file without a name (O_TMPFILE) and named only once it is complete and
// synced, so that a process killed while it writes leaves no copy of the
// token beside the file, unless the kill lands in the instant between
// naming the new version and renaming it over the file; elsewhere, and on
// file systems without O_TMPFILE, it is written to a named temporary file.
// The next New removes a temporary file that a killed process left.
//
// A write that has begun is finished. When the caller's context ends before
// it begins, Set or Delete writes nothing and returns a CodeCanceled (for a
// deadline, CodeTimeout) *baas.HError.
//
// # Several processes
//
// Several processes may share the file, as two runs of a command line tool
// do. On systems with flock(2) (Linux, the BSDs, macOS) no update is lost,
// and a logout in one process is not undone by a write in another: their
// writes take turns on a lock file "<path>.lock" beside the file, created
// once and never removed. Windows has no such lock, so there one process
// only should write the file. Everywhere, a read (Get, and the Client's
// session cache) sees a change that another process made as soon as that
// process's Set or Delete has returned: each read asks the file system, in
// one stat(2), whether the file changed. A program that edits the file in
// place without changing its size or its modification time may go unseen;
// this package's writers always replace the file.
//
// # Errors
//
// Every error is an *baas.HError that names the path and what was wrong,
// never a stored value: CodeStorage for the file, its directory or its lock
// (a file that is not a JSON object of strings, larger than MaxSize, a
// FIFO, a directory that cannot be written), CodeCanceled or CodeTimeout
// when the caller's context ended first, and CodeIncorrectParameter for an
// empty path or a nil context. When another process leaves something at
// the path that is not a session file, Get, Set and Delete report it, and a
// Client keeps using the session it last read until the file can be read
// again.
package filestore
