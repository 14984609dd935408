package documents

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/refusal"
	"github.com/kring-social/kring/app/textinput"
)

// webfinger answers acct:slug@host (or the actor's URL) with the group's actor link, and
// acct:host@host with the instance actor. The handle's host must be Kring's own.
func (r *Routes) webfinger(c *gin.Context) {
	resource := c.Query("resource")
	if resource == "" || len(resource) > 512 {
		refusal.Refuse(c, http.StatusBadRequest, "resource parameter required")
		return
	}
	var username string
	switch {
	case strings.HasPrefix(resource, "acct:"):
		user, host, found := strings.Cut(strings.TrimPrefix(resource, "acct:"), "@")
		if !found || user == "" || !strings.EqualFold(strings.TrimSuffix(host, "."), r.cfg.IRIs.Host()) {
			refusal.Refuse(c, http.StatusNotFound, "not an account on this server")
			return
		}
		username = strings.ToLower(strings.TrimPrefix(user, "@"))
	case strings.HasPrefix(resource, "https://") || strings.HasPrefix(resource, "http://"):
		if resource == r.cfg.IRIs.InstanceActor() {
			username = r.instanceUsername()
		} else if slug, ok := r.cfg.IRIs.GroupSlugOf(resource); ok {
			username = slug
		} else {
			refusal.Refuse(c, http.StatusNotFound, "not an actor on this server")
			return
		}
	default:
		refusal.Refuse(c, http.StatusBadRequest, "resource must be acct:user@host or an actor URL")
		return
	}
	subject := "acct:" + username + "@" + r.cfg.IRIs.Host()
	var actor string
	if username == r.instanceUsername() {
		actor = r.cfg.IRIs.InstanceActor()
	} else {
		// Only a name a group could have is looked up: PostgreSQL answers some strings (a NUL byte,
		// invalid UTF-8) with an error, which would turn a bad resource into a server error.
		if textinput.Slug("resource", username) != nil {
			refusal.Refuse(c, http.StatusNotFound, "no such group")
			return
		}
		group, ok := r.liveGroup(c, username)
		if !ok {
			return
		}
		actor = r.cfg.IRIs.GroupActor(group.Slug)
	}
	links := []map[string]any{
		{"rel": "self", "type": "application/activity+json", "href": actor},
		{"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": actor},
	}
	body, err := json.Marshal(map[string]any{"subject": subject, "aliases": []string{actor}, "links": links})
	if err != nil {
		r.fail(c, err)
		return
	}
	c.Header("Access-Control-Allow-Origin", "*")
	c.Data(http.StatusOK, "application/jrd+json; charset=utf-8", body)
}

// instanceUsername is the instance actor's name: the host without port, as Mastodon names its own.
func (r *Routes) instanceUsername() string {
	host, _, _ := strings.Cut(r.cfg.IRIs.Host(), ":")
	return host
}

func (r *Routes) hostMeta(c *gin.Context) {
	c.Header("Access-Control-Allow-Origin", "*")
	c.Data(http.StatusOK, "application/xrd+xml; charset=utf-8", []byte(fmt.Sprintf(
		`<?xml version="1.0" encoding="UTF-8"?>
<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">
  <Link rel="lrdd" template="%s/.well-known/webfinger?resource={uri}"/>
</XRD>
`, r.cfg.IRIs.Base())))
}

func (r *Routes) nodeInfoLinks(c *gin.Context) {
	c.Header("Access-Control-Allow-Origin", "*")
	c.JSON(http.StatusOK, map[string]any{"links": []map[string]string{
		{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": r.cfg.IRIs.Base() + "/nodeinfo/2.1"},
	}})
}

// nodeInfo describes the server. Kring has no user accounts that post: groups are its actors, so
// users are reported as 0 and the groups counted in metadata (as group servers report communities).
func (r *Routes) nodeInfo(c *gin.Context) {
	groups, err := r.groupCount(c)
	if err != nil {
		r.fail(c, err)
		return
	}
	c.Header("Access-Control-Allow-Origin", "*")
	body, err := json.Marshal(map[string]any{
		"version":           "2.1",
		"software":          map[string]any{"name": "kring", "version": r.cfg.Version},
		"protocols":         []string{"activitypub"},
		"services":          map[string]any{"inbound": []string{}, "outbound": []string{}},
		"openRegistrations": false,
		"usage":             map[string]any{"users": map[string]int{"total": 0, "activeMonth": 0, "activeHalfyear": 0}},
		"metadata":          map[string]any{"nodeName": r.cfg.IRIs.Host(), "groups": groups},
	})
	if err != nil {
		r.fail(c, err)
		return
	}
	c.Data(http.StatusOK, `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"`, body)
}
