//go:build linux

package gateway

import (
	"os"
	"strconv"
	"syscall"
)

// changeTime is a file's inode and status change time, which every write,
// rename or replacement moves (and no client can set back).
func changeTime(fi os.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	return strconv.FormatUint(uint64(st.Ino), 10) + " " + strconv.FormatInt(int64(st.Ctim.Sec), 10) + "." + strconv.FormatInt(int64(st.Ctim.Nsec), 10)
}
