package mail

import (
	"context"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one plain-text e-mail to one address.
type Message struct {
	To      string
	Subject string
	Text    string
}

// Sender sends a message, or says why it could not.
type Sender interface {
	Send(ctx context.Context, msg Message) error
}

// sendTimeout bounds one conversation with the SMTP server.
const sendTimeout = 30 * time.Second

// SMTP sends through the server of a Config, one connection per message.
type SMTP struct {
	cfg Config
}

// NewSMTP returns a Sender for cfg.
func NewSMTP(cfg Config) *SMTP { return &SMTP{cfg: cfg} }

// Send sends msg as plain text.
func (s *SMTP) Send(ctx context.Context, msg Message) error {
	m := gomail.NewMsg()
	if err := m.From(s.cfg.From); err != nil {
		return fmt.Errorf("e-mail sender %q: %w", s.cfg.From, err)
	}
	if err := m.To(msg.To); err != nil {
		return fmt.Errorf("e-mail recipient %q: %w", msg.To, err)
	}
	m.Subject(msg.Subject)
	m.SetDate()
	m.SetMessageID()
	m.SetBodyString(gomail.TypeTextPlain, msg.Text)

	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(sendTimeout)}
	switch {
	case s.cfg.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case s.cfg.NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		auth := gomail.SMTPAuthPlain
		if s.cfg.NoTLS {
			auth = gomail.SMTPAuthPlainNoEnc // a loopback test server only
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("set up SMTP client for %s: %w", s.cfg.Host, err)
	}
	if err := client.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("send e-mail to %s through %s:%d: %w", msg.To, s.cfg.Host, s.cfg.Port, err)
	}
	return nil
}
