package admin

import "github.com/kring-social/kring/app/apperror"

// oneValue is the value a form or query gives field once, "" when it gives none. A field given
// twice is refused rather than one of its values picked: which one a person meant cannot be told,
// and a crafted request could slip a second value past whatever read the first.
func oneValue(field string, values []string) (string, error) {
	switch len(values) {
	case 0:
		return "", nil
	case 1:
		return values[0], nil
	}
	return "", apperror.Invalid(field, "given %d times; give it once", len(values))
}
