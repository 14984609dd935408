// Command kring runs Kring: `kring` (or `kring all`) runs everything in one process on SQLite and an
// in-process broker; `kring serve` and `kring worker` are the production processes; `kring migrate`
// and `kring admin` are for operators and their scripts.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes, stable so scripts can branch on them.
const (
	exitOK       = 0
	exitFailure  = 1 // something broke: database down, internal error
	exitUsage    = 2 // unknown command or flag, bad configuration
	exitInvalid  = 3 // the input was refused as malformed
	exitConflict = 4 // the input clashes with what exists (duplicate slug or e-mail)
	exitNotFound = 5 // the thing named does not exist
)

// command is one subcommand of kring.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, inv *invocation) error
	hidden  bool
}

// invocation is what a subcommand receives: its arguments and where to write.
type invocation struct {
	args      []string
	stdout    io.Writer
	stderr    io.Writer
	lookupEnv func(string) (string, bool)
}

func commands() []command {
	return []command{
		{name: "all", summary: "run the web server and the worker in one process (the default)", run: runAll},
		{name: "serve", summary: "run the web server (needs KRING_REDIS_URL)", run: runServe},
		{name: "worker", summary: "run the background worker (needs KRING_REDIS_URL)", run: runWorker},
		{name: "migrate", summary: "apply database migrations (up), list them (status), or copy SQLite into PostgreSQL (copy --to)", run: runMigrate},
		{name: "backup", summary: "write a backup of the embedded default's data directory (--to FILE)", run: runBackup},
		{name: "restore", summary: "restore a backup into an empty data directory (--from FILE)", run: runRestore},
		{name: "admin", summary: "manage organisations, staff and groups from scripts", run: runAdmin},
		{name: "version", summary: "print the version", run: runVersion},
		{name: "help", summary: "show this help", run: runHelp},
		{name: "probe", summary: "exit 0 when a URL answers 200 (container health checks)", run: runProbe, hidden: true},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and turns its error into an exit code and a message.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	name := "all"
	if len(args) > 0 && (len(args[0]) == 0 || args[0][0] != '-') {
		name, args = args[0], args[1:]
	}
	for _, cmd := range commands() {
		if cmd.name != name {
			continue
		}
		err := cmd.run(ctx, &invocation{args: args, stdout: stdout, stderr: stderr, lookupEnv: lookupEnv})
		if err == nil {
			return exitOK
		}
		fmt.Fprintf(stderr, "kring %s: %v\n", name, err)
		return exitCodeFor(err)
	}
	fmt.Fprintf(stderr, "kring: unknown command %q; run `kring help`\n", name)
	return exitUsage
}

// usageError marks an error as the caller's misuse of flags or configuration.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func exitCodeFor(err error) int {
	var usage usageError
	if errors.As(err, &usage) {
		return exitUsage
	}
	return exitCodeForDomain(err)
}

func runVersion(_ context.Context, inv *invocation) error {
	fmt.Fprintf(inv.stdout, "kring %s\n", version)
	return nil
}

func runHelp(_ context.Context, inv *invocation) error {
	fmt.Fprintln(inv.stdout, "Usage: kring [command] [flags]\n\nCommands:")
	for _, cmd := range commands() {
		if !cmd.hidden {
			fmt.Fprintf(inv.stdout, "  %-8s %s\n", cmd.name, cmd.summary)
		}
	}
	fmt.Fprintln(inv.stdout, "\nSettings (flag, environment variable, default):")
	for _, s := range settings {
		fmt.Fprintf(inv.stdout, "  --%s, %s (default %q)\n      %s\n", s.flag, s.env, s.def, s.usage)
	}
	return nil
}
