package workers

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/hibiken/asynq"
)

// defaultSentinelPort is Redis Sentinel's own port, taken when an address names none.
const defaultSentinelPort = "26379"

// parseSentinelURL reads redis-sentinel://[[user]:password@]host[:port][,host[:port]...]/master[?db=N]
// into a client that asks the sentinels which Redis is the master and follows a failover. The
// password is the Redis servers' (as in redis://); sentinels that have one of their own take
// ?sentinel_password=. asynq's own form (the master as ?master=, no database, the password sent to
// the sentinels only) would lose the database number and log in to the wrong servers, hence ours.
func parseSentinelURL(raw string) (asynq.RedisFailoverClientOpt, error) {
	var opt asynq.RedisFailoverClientOpt
	// url.Parse takes one host only, and a port on the last: the addresses are read here, the rest
	// (user, master, options, with their escapes) by url.Parse with one placeholder host.
	rest := strings.TrimPrefix(raw, "redis-sentinel://")
	authority, pathAndQuery, _ := strings.Cut(rest, "/")
	userinfo, hosts := "", authority
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		userinfo, hosts = authority[:at+1], authority[at+1:]
	}
	u, err := url.Parse("redis-sentinel://" + userinfo + "sentinels/" + pathAndQuery)
	if err != nil {
		return opt, errors.New("not a URL") // url.Parse's error quotes the URL, password and all
	}
	for _, addr := range strings.Split(hosts, ",") {
		if addr == "" {
			return opt, errors.New("an empty sentinel address")
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			addr = net.JoinHostPort(strings.Trim(addr, "[]"), defaultSentinelPort)
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil || host == "" {
			return opt, fmt.Errorf("sentinel address %q is not host:port", addr)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return opt, fmt.Errorf("sentinel address %q has no valid port", addr)
		}
		opt.SentinelAddrs = append(opt.SentinelAddrs, addr)
	}
	opt.MasterName = strings.TrimPrefix(u.Path, "/")
	if opt.MasterName == "" || strings.Contains(opt.MasterName, "/") {
		return opt, errors.New("the path must be the master's name as the sentinels know it (redis-sentinel://host:26379/mymaster)")
	}
	if u.User != nil {
		opt.Username = u.User.Username()
		opt.Password, _ = u.User.Password()
	}
	for key, values := range u.Query() {
		value := values[len(values)-1]
		switch key {
		case "db":
			db, err := strconv.Atoi(value)
			if err != nil || db < 0 {
				return opt, fmt.Errorf("db=%q is not a database number", value)
			}
			opt.DB = db
		case "sentinel_password":
			opt.SentinelPassword = value
		default: // a misspelt option must not be ignored silently
			return opt, fmt.Errorf("unknown option %q (known: db, sentinel_password)", key)
		}
	}
	return opt, nil
}
