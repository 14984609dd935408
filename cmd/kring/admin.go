package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/membership"
	"github.com/kring-social/kring/app/moderation"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/workers"
)

// adminAction is one `kring admin <noun> <verb>` command.
type adminAction struct {
	noun, verb string
	summary    string
	positional string // names the one argument the action takes besides flags, e.g. "SLUG"; empty = none
	// flags registers the action's own flags and returns the function that runs it.
	flags func(fs *flag.FlagSet) func(ctx context.Context, env *adminEnv) (any, error)
}

// adminEnv is what an admin action works with.
type adminEnv struct {
	args          []string // what is left after the flags
	out           io.Writer
	json          bool
	organisations *organisations.Service
	groups        *groups.Service
	moderation    *moderation.Service
	iris          federation.IRIs
	// membership answers follow requests; its Accepts and Rejects go out through the outbox.
	membership *membership.Service
	// conversations moderates posts and posts as groups; its activities go out through the outbox.
	conversations *conversations.Service
	// members removes, bans and unbans; its Rejects, Blocks and Undos go out through the outbox.
	members *moderation.Members
}

func adminActions() []adminAction {
	var actions []adminAction
	for _, group := range [][]adminAction{organisationActions(), staffActions(), groupActions(), domainBlockActions(), followActions(), postActions(), memberActions()} {
		actions = append(actions, group...)
	}
	return actions
}

// runAdmin finds the action named by the first two arguments, parses its flags, runs it against the
// configured database and prints the result as text or, with --json, as one JSON document.
func runAdmin(ctx context.Context, inv *invocation) error {
	if len(inv.args) < 2 {
		return usageError{adminUsage()}
	}
	noun, verb := inv.args[0], inv.args[1]
	for _, action := range adminActions() {
		if action.noun != noun || action.verb != verb {
			continue
		}
		var run func(context.Context, *adminEnv) (any, error)
		var asJSON bool
		sub := *inv
		sub.args = inv.args[2:]
		cfg, args, err := parseFlags(&sub, "admin "+noun+" "+verb, func(fs *flag.FlagSet) {
			fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
			run = action.flags(fs)
		})
		if err != nil {
			return err
		}
		if err := checkPositional(action, args); err != nil {
			return err
		}
		logger := newLogger(cfg, inv.stderr)
		st, err := openStore(ctx, cfg, logger, true)
		if err != nil {
			return err
		}
		defer st.Close()
		if cfg.RedisURL != "" {
			// Hand queued work (an Accept after an approval) to the workers at once; without a Redis
			// URL the running process's sweeper picks it up within a minute.
			broker, err := workers.ParseRedisURL(cfg.RedisURL)
			if err != nil {
				return usageError{err}
			}
			client := workers.NewClient(broker)
			defer client.Close()
			dispatcher := workers.NewDispatcher(client, st, logger)
			defer dispatcher.Flush()
			st.SetTaskDispatcher(dispatcher)
		}
		parts, err := buildFederation(ctx, cfg, st, logger, nil)
		if err != nil {
			return err
		}
		env := &adminEnv{args: args, membership: parts.Membership, conversations: parts.Conversations, out: inv.stdout, json: asJSON,
			organisations: organisations.NewService(st), groups: groups.NewService(st), moderation: moderation.NewService(st),
			iris: parts.IRIs, members: parts.Members()}
		result, err := run(ctx, env)
		if err != nil {
			return err
		}
		return printAdminResult(env, result)
	}
	return usageError{adminUsage()}
}

func adminUsage() error {
	var b strings.Builder
	b.WriteString("usage: kring admin <noun> <verb> [flags] [--json]; actions:")
	for _, a := range adminActions() {
		fmt.Fprintf(&b, "\n  %s %s: %s", a.noun, a.verb, a.summary)
	}
	return fmt.Errorf("%s", b.String())
}

// checkPositional refuses stray arguments, such as a slug given without its flag.
func checkPositional(action adminAction, args []string) error {
	want := 0
	if action.positional != "" {
		want = 1
	}
	if len(args) == want {
		return nil
	}
	return usageErrorf("usage: kring admin %s %s %s [flags] [--json]", action.noun, action.verb, action.positional)
}

// textual is implemented by results that have a human-readable form.
type textual interface{ Text() string }

// textLines is the text of a list result: one line per item, or empty when there are none.
func textLines[T textual](items []T, empty string) string {
	if len(items) == 0 {
		return empty
	}
	lines := make([]string, len(items))
	for i, item := range items {
		lines[i] = item.Text()
	}
	return strings.Join(lines, "\n")
}

func printAdminResult(env *adminEnv, result any) error {
	if env.json {
		enc := json.NewEncoder(env.out)
		enc.SetIndent("", "  ")
		return enc.Encode(result)
	}
	if t, ok := result.(textual); ok {
		_, err := fmt.Fprintln(env.out, t.Text())
		return err
	}
	_, err := fmt.Fprintf(env.out, "%+v\n", result)
	return err
}

// requireFlags fails with a usage error naming the first required flag left empty; pairs are flag
// name, value, flag name, value...
func requireFlags(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			return usageErrorf("--%s is required", pairs[i])
		}
	}
	return nil
}
