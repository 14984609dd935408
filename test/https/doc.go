// Package https tests Kring serving HTTPS itself: from certificate files, and with a certificate it
// obtains from a real ACME server (Pebble, built from the module cache) started by the test.
package https
