package textinput

import (
	"html"
	"strings"
)

// TextToHTML turns plain text staff wrote into HTML: escaped, a paragraph per blank-line separated
// block, line breaks kept.
func TextToHTML(text string) string {
	return textToHTML(text, html.EscapeString)
}

// textToHTML makes paragraphs and line breaks of text, each line turned into HTML by line.
func textToHTML(text string, line func(string) string) string {
	text = strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n")
	var b strings.Builder
	for _, block := range strings.Split(text, "\n\n") {
		block = strings.TrimSpace(block)
		if block == "" {
			continue
		}
		lines := strings.Split(block, "\n")
		for i, l := range lines {
			lines[i] = line(l)
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>") + "</p>")
	}
	return b.String()
}

// HTMLToText is the plain text TextToHTML made html from, for editing it again: paragraphs back to
// blank-line separated blocks, line breaks back to newlines, entities decoded. HTML that
// TextToHTML did not make comes back as its text with the markup gone.
func HTMLToText(content string) string {
	if !strings.HasPrefix(content, "<p>") || !strings.HasSuffix(content, "</p>") {
		return PlainText(content)
	}
	blocks := strings.Split(strings.TrimSuffix(strings.TrimPrefix(content, "<p>"), "</p>"), "</p><p>")
	for i, block := range blocks {
		blocks[i] = html.UnescapeString(strings.ReplaceAll(block, "<br>", "\n"))
	}
	return strings.Join(blocks, "\n\n")
}
