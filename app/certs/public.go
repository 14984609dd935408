package certs

import "github.com/caddyserver/certmagic"

// QualifiesForPublicCA reports whether a public CA such as Let's Encrypt would issue for host: not
// an internal name (localhost, *.local, *.internal…) nor a private or loopback address.
func QualifiesForPublicCA(host string) bool { return certmagic.SubjectQualifiesForPublicCert(host) }
