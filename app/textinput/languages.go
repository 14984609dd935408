package textinput

import "github.com/kring-social/kring/app/apperror"

// Language is an ISO 639-1 code with its name in that language, as a writer picks it.
type Language struct {
	Code, Name string
}

// DefaultLanguage is the language a new post is in unless the writer picks another.
const DefaultLanguage = "en"

// Languages are the languages a group's post may be marked as: the most common of the ones Mastodon
// offers, by code.
var Languages = []Language{
	{"ar", "العربية"}, {"ca", "Català"}, {"cs", "Čeština"}, {"cy", "Cymraeg"}, {"da", "Dansk"},
	{"de", "Deutsch"}, {"el", "Ελληνικά"}, {"en", "English"}, {"eo", "Esperanto"}, {"es", "Español"},
	{"et", "Eesti"}, {"eu", "Euskara"}, {"fa", "فارسی"}, {"fi", "Suomi"}, {"fr", "Français"},
	{"ga", "Gaeilge"}, {"gl", "Galego"}, {"he", "עברית"}, {"hi", "हिन्दी"}, {"hr", "Hrvatski"},
	{"hu", "Magyar"}, {"id", "Bahasa Indonesia"}, {"is", "Íslenska"}, {"it", "Italiano"}, {"ja", "日本語"},
	{"ko", "한국어"}, {"lt", "Lietuvių"}, {"lv", "Latviešu"}, {"nl", "Nederlands"}, {"no", "Norsk"},
	{"pl", "Polski"}, {"pt", "Português"}, {"ro", "Română"}, {"ru", "Русский"}, {"sk", "Slovenčina"},
	{"sl", "Slovenščina"}, {"sr", "Српски"}, {"sv", "Svenska"}, {"th", "ไทย"}, {"tr", "Türkçe"},
	{"uk", "Українська"}, {"vi", "Tiếng Việt"}, {"zh", "中文"},
}

// LanguageCode checks a language code given in field: one of Languages, or empty for "not said".
func LanguageCode(field, code string) (string, error) {
	if code == "" {
		return "", nil
	}
	for _, l := range Languages {
		if l.Code == code {
			return code, nil
		}
	}
	return "", apperror.Invalid(field, "%q is not a language Kring offers", code)
}
