package proc

import (
	"os"
	"testing"
	"time"
)

// The test process's own CPU time grows while it spins (on a busy machine
// it may take longer than the CPU time), and its VmHWM is at least its
// VmRSS.
func TestCPUAndStatus(t *testing.T) {
	pid := os.Getpid()
	before := CPUSeconds(pid)
	for end := time.Now().Add(20 * time.Second); CPUSeconds(pid)-before < 0.1; {
		if time.Now().After(end) {
			t.Fatalf("CPU seconds went from %.2f to %.2f over 20 s of spinning", before, CPUSeconds(pid))
		}
	}
	rss, hwm := StatusKB(pid, "VmRSS"), StatusKB(pid, "VmHWM")
	if rss <= 0 || hwm < rss {
		t.Fatalf("VmRSS %d kB, VmHWM %d kB", rss, hwm)
	}
	if StatusKB(pid, "NoSuchKey") != 0 || CPUSeconds(-1) != 0 {
		t.Fatal("absent values are not 0")
	}
}
