package gateway

import (
	"regexp"
	"strings"
)

// redactFilenames blanks the "Filename(s):" cells of DuckDB's EXPLAIN
// ANALYZE boxes: they name the files behind ports, which are internal.
// The boxes are a grid of fixed-width cells; a file list runs from its
// header down to the first empty line of the same cell.
func redactFilenames(lines []string) []string {
	out := make([]string, len(lines))
	copy(out, lines)
	for i, l := range lines {
		r := []rune(l)
		col := runeIndex(r, "Filename(s):")
		if col < 0 {
			continue
		}
		// The cell spans from the box edge left of the header to the next.
		start, end := col, col
		for start > 0 && r[start-1] != '│' {
			start--
		}
		for end < len(r) && r[end] != '│' {
			end++
		}
		for j := i + 1; j < len(lines); j++ {
			rr := []rune(out[j])
			if end > len(rr) {
				break
			}
			cell := strings.TrimSpace(string(rr[start:end]))
			if cell == "" {
				break
			}
			for k := start; k < end; k++ {
				rr[k] = ' '
			}
			copy(rr[start:end], []rune(center("(port files)", end-start)))
			out[j] = string(rr)
			if j == i+1 {
				continue
			}
			// Further lines of the list: blank only.
			for k := start; k < end; k++ {
				rr[k] = ' '
			}
			out[j] = string(rr)
		}
	}
	return out
}

func runeIndex(r []rune, s string) int {
	sr := []rune(s)
	for i := 0; i+len(sr) <= len(r); i++ {
		if string(r[i:i+len(sr)]) == s {
			return i
		}
	}
	return -1
}

func center(s string, width int) string {
	if len(s) >= width {
		return s[:width]
	}
	pad := (width - len(s)) / 2
	return strings.Repeat(" ", pad) + s + strings.Repeat(" ", width-len(s)-pad)
}

// rowCount matches the row estimates and counts in EXPLAIN boxes.
var rowCount = regexp.MustCompile(`~?[0-9][0-9,.]*[KMB]? rows?`)

// redactRowCounts hides row estimates, which would reveal how many rows
// a policy's row filter removes.
func redactRowCounts(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = rowCount.ReplaceAllStringFunc(l, func(m string) string {
			return strings.Repeat(" ", len(m)-len("? rows")) + "? rows"
		})
	}
	return out
}
