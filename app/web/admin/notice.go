package admin

import "encoding/base64"

// Notices travel in a cookie between a form's POST and the page it redirects to; base64 keeps the
// cookie value within the characters cookies allow. They are shown escaped, like any text.
func encodeNotice(s string) string {
	if len(s) > 300 {
		s = s[:300]
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func decodeNotice(s string) string {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return ""
	}
	return string(b)
}
