// Package certs gives Kring's HTTPS listener its certificate: from files an operator renews
// (certbot and the like), reloaded when they change, or obtained and renewed over ACME.
package certs
