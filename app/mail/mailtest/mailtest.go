// Package mailtest is a real SMTP server for tests (emersion/go-smtp, in process, on 127.0.0.1)
// that keeps every message it receives, decoded, so a test can wait for the message to an address
// and read the links in it.
package mailtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	kmail "github.com/kring-social/kring/app/mail"
)

// Message is one message the server received.
type Message struct {
	From    string   // the envelope sender
	To      []string // the envelope recipients
	Subject string   // decoded
	Text    string   // the body, transfer encoding undone
	Raw     string   // as received
}

// Server is a running test SMTP server.
type Server struct {
	Host string
	Port int

	server *smtp.Server

	mu       sync.Mutex
	messages []Message
	arrived  chan struct{} // closed and replaced when a message arrives
}

// Start starts a server on a free port of 127.0.0.1, stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen for the test SMTP server: %v", err)
	}
	s := &Server{Host: "127.0.0.1", Port: listener.Addr().(*net.TCPAddr).Port, arrived: make(chan struct{})}
	s.server = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{server: s}, nil
	}))
	s.server.Domain = "mail.test"
	s.server.ReadTimeout, s.server.WriteTimeout = 10*time.Second, 10*time.Second
	s.server.AllowInsecureAuth = true
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.server.Serve(listener)
	}()
	t.Cleanup(func() {
		_ = s.server.Close()
		<-done
	})
	return s
}

// URL is the KRING_SMTP_URL of the server (no TLS: it is on loopback).
func (s *Server) URL() string { return fmt.Sprintf("smtp://%s:%d?starttls=off", s.Host, s.Port) }

// Config is a mail.Config sending through the server from from.
func (s *Server) Config(from string) kmail.Config {
	return kmail.Config{Host: s.Host, Port: s.Port, NoTLS: true, From: from}
}

// Sender is a mail.Sender through the server, from kring@kring.test.
func (s *Server) Sender() kmail.Sender { return kmail.NewSMTP(s.Config("Kring <kring@kring.test>")) }

// Messages returns every message received so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// MessagesTo returns the messages received so far for address.
func (s *Server) MessagesTo(address string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, address) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// WaitFor waits up to timeout for the n-th message (counting from 1) to address and returns it;
// the test fails when it does not come.
func (s *Server) WaitFor(t testing.TB, address string, n int, timeout time.Duration) Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		s.mu.Lock()
		arrived := s.arrived
		s.mu.Unlock()
		if got := s.MessagesTo(address); len(got) >= n {
			return got[n-1]
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			t.Fatalf("no message %d to %s within %s; received %d messages in all", n, address, timeout, len(s.Messages()))
			return Message{}
		}
	}
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// Links returns the absolute http(s) links in the message's text, in order.
func (m Message) Links() []string { return linkPattern.FindAllString(m.Text, -1) }

func (s *Server) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

type session struct {
	server *Server
	from   string
	to     []string
}

func (c *session) Reset()        { c.from, c.to = "", nil }
func (c *session) Logout() error { return nil }

func (c *session) Mail(from string, _ *smtp.MailOptions) error {
	c.from = from
	return nil
}

func (c *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	c.to = append(c.to, to)
	return nil
}

func (c *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Message{From: c.from, To: append([]string(nil), c.to...), Raw: string(raw)}
	if parsed, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.Subject, err = new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
		if err != nil {
			m.Subject = parsed.Header.Get("Subject")
		}
		var body io.Reader = parsed.Body
		if strings.EqualFold(parsed.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		text, _ := io.ReadAll(body)
		m.Text = strings.ReplaceAll(string(text), "\r\n", "\n")
	}
	c.server.add(m)
	return nil
}
