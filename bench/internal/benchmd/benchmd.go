// Package benchmd writes the benchmark harness's sections of
// BENCHMARKS.md and describes the machine the figures come from.
package benchmd

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// header starts a BENCHMARKS.md that does not exist yet.
const header = "# Benchmarks\n\nHow meshgate performs, measured by `make bench` (`bench/run.sh SF ROWS`). Sections between marker comments are rewritten by the harness; the rest of this file is kept as written.\n"

// UpdateSection replaces the text between the markers
// <!-- key:begin --> and <!-- key:end --> of the file with body; when the
// markers are absent it appends a section with the title and intro. The
// rest of the file is kept. The file is replaced atomically.
func UpdateSection(path, key, title, intro, body string) error {
	begin, end := "<!-- "+key+":begin -->", "<!-- "+key+":end -->"
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	marked := begin + "\n" + body + end
	if i, j := strings.Index(text, begin), strings.Index(text, end); i >= 0 && j > i {
		text = text[:i] + marked + text[j+len(end):]
	} else {
		if text == "" {
			text = header
		}
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		text += "\n## " + title + "\n\n" + intro + "\n\n" + marked + "\n"
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Machine describes this machine: cores, CPU model, RAM, platform.
func Machine() string {
	model := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	ram := ""
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseFloat(strings.Fields(v)[0], 64)
				ram = fmt.Sprintf(", %.1f GiB RAM", kb/1024/1024)
			}
		}
	}
	return fmt.Sprintf("%d × %s (nproc %d)%s, %s/%s", runtime.NumCPU(), model, runtime.NumCPU(), ram, runtime.GOOS, runtime.GOARCH)
}
