package main

import (
	"path/filepath"

	"github.com/gin-gonic/gin"

	"github.com/kring-social/kring/app/campaigns"
	"github.com/kring-social/kring/app/federationhealth"
	"github.com/kring-social/kring/app/moderation"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/sessions"
	"github.com/kring-social/kring/app/web/admin"
)

// mountAdmin wires the web admin at /admin.
func (p *process) mountAdmin(engine *gin.Engine) error {
	// One limiter for every password hash the web admin makes: logins, password changes, staff.
	orgs := organisations.NewServiceWith(p.store, organisations.Options{
		Hashes: organisations.NewHashLimiter(uint64(p.cfg.PasswordHashMemoryMiB)*1024, organisations.DefaultHashWait)})
	staffSessions := sessions.NewService(p.store, orgs, sessions.DefaultPolicy())
	if p.federation.Notifier != nil {
		staffSessions = staffSessions.WithResetMailer(p.federation.Notifier)
	}
	web, err := admin.New(admin.Config{
		Store:         p.store,
		Sessions:      staffSessions,
		Organisations: orgs,
		Groups:        p.federation.Groups,
		MediaDir:      mediaDir(p.cfg),
		Membership:    p.federation.Membership,
		Conversations: p.federation.Conversations,
		Reports:       p.federation.Reports,
		Community:     p.federation.Community,
		Events:        p.federation.Events,
		Campaigns:     campaigns.NewService(p.store),
		Drafts:        p.federation.Drafts,
		Moderation:    moderation.NewService(p.store),
		Members:       p.federation.Members(),
		EmailOn:       p.cfg.MailOn,
		// The refusal tally is the serve process's; the admin is mounted only there.
		FederationHealth: federationhealth.NewService(p.store, p.inspector, p.refusals),
		SecureCookies:    p.cfg.PublicURL.Scheme == "https",
		PublicOrigin:     p.cfg.PublicURL.Scheme + "://" + p.cfg.PublicURL.Host,
		Logger:           p.logger,
	})
	if err != nil {
		return err
	}
	web.Mount(engine)
	return nil
}

// mediaDir is where groups' pictures are kept: beside the SQLite database, in the data directory.
func mediaDir(cfg *Config) string { return filepath.Join(cfg.DataDir, "media") }
