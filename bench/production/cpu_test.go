package production

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clockTick is the unit of /proc's CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// benchPart is this benchmark process's part: the TLS proxy and the senders.
const benchPart = "bench (proxy, senders)"

// cpuParts are the processes whose CPU time a run reports, by name.
type cpuParts struct {
	serve, worker int // pids
}

// cpuSample is the CPU time used so far by each part.
type cpuSample map[string]time.Duration

// sample reads the CPU time of kring serve, kring worker, every PostgreSQL and Redis process, and this
// benchmark process (the TLS proxy and the senders).
func (p cpuParts) sample() (cpuSample, error) {
	s := cpuSample{}
	var err error
	if s["serve"], err = cpuOf(p.serve); err != nil {
		return nil, err
	}
	if s["worker"], err = cpuOf(p.worker); err != nil {
		return nil, err
	}
	if s[benchPart], err = cpuOf(os.Getpid()); err != nil {
		return nil, err
	}
	for part, command := range map[string]string{"postgres": "postgres", "redis": "redis-server"} {
		pids, err := pidsOf(command)
		if err != nil {
			return nil, err
		}
		for _, pid := range pids {
			used, err := cpuOf(pid)
			if err != nil {
				continue // a backend that ended between the listing and the read
			}
			s[part] += used
		}
	}
	return s, nil
}

// since is the CPU each part used between an earlier sample and this one.
func (s cpuSample) since(earlier cpuSample) cpuSample {
	out := cpuSample{}
	for part, used := range s {
		out[part] = used - earlier[part]
	}
	return out
}

// kringTotal is the CPU of the parts an operator runs: serve, worker, PostgreSQL and Redis.
func (s cpuSample) kringTotal() time.Duration {
	return s["serve"] + s["worker"] + s["postgres"] + s["redis"]
}

// perItem formats each part's CPU per item, in ms.
func (s cpuSample) perItem(items int) string {
	var parts []string
	for _, part := range []string{"serve", "worker", "postgres", "redis", benchPart} {
		parts = append(parts, fmt.Sprintf("%s %.2f", part, ms(s[part])/float64(items)))
	}
	return strings.Join(parts, ", ")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cpuOf reads a process's user and system CPU time from /proc/<pid>/stat.
func cpuOf(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces: count fields after it.
	text := string(raw)
	fields := strings.Fields(text[strings.LastIndexByte(text, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, err := strconv.ParseInt(fields[11], 10, 64) // field 14 of the whole line
	if err != nil {
		return 0, err
	}
	stime, err := strconv.ParseInt(fields[12], 10, 64) // field 15
	if err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * clockTick, nil
}

// pidsOf lists the processes whose command is name.
func pidsOf(name string) ([]int, error) {
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, dir := range dirs {
		comm, err := os.ReadFile(filepath.Join(dir, "comm"))
		if err != nil || strings.TrimSpace(string(comm)) != name {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(dir)); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// during runs fn with the benchmark's timer on (reset first: what came before was preparation) and
// returns the CPU each part used meanwhile.
func (p cpuParts) during(b *testing.B, fn func()) cpuSample {
	b.Helper()
	before, err := p.sample()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.StartTimer()
	fn()
	b.StopTimer()
	after, err := p.sample()
	if err != nil {
		b.Fatal(err)
	}
	return after.since(before)
}
