package textinput

import (
	"html"
	"strings"
)

// TextToHTML turns plain text staff wrote into HTML: escaped, a paragraph per blank-line separated
// block, line breaks kept.
func TextToHTML(text string) string {
	text = strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n")
	var b strings.Builder
	for _, block := range strings.Split(text, "\n\n") {
		block = strings.TrimSpace(block)
		if block == "" {
			continue
		}
		lines := strings.Split(block, "\n")
		for i, line := range lines {
			lines[i] = html.EscapeString(line)
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>") + "</p>")
	}
	return b.String()
}
