package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/meshgate/meshgate/auth/delegation"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/gateway/pgwire"
)

// replicaFlags are serve's flags for running several replicas of one
// gateway behind a TCP balancer (docs/scale-out.md).
type replicaFlags struct {
	id       *int
	peers    *string
	stateDir *string
}

func newReplicaFlags(fs *flag.FlagSet) *replicaFlags {
	return &replicaFlags{
		id:    fs.Int("replica-id", -1, fmt.Sprintf("this replica's ID among the replicas behind one balancer, 0 to %d, each a different one: the top byte of every BackendKeyData process ID (-1: not a replica)", pgwire.MaxReplicaID)),
		peers: fs.String("peers", "", "the other replicas' PostgreSQL listen addresses (host:port,…; not the balancer's): a CancelRequest for a process ID of theirs is forwarded to them"),
		stateDir: fs.String("state-dir", "", "directory shared by the replicas of this gateway (same machine or shared file system) where used delegation nonces are recorded, so a replayed assertion is refused on every replica "+
			"(default: meshgate-state-UID-HASH of the users file's path under the temporary directory)"),
	}
}

// apply sets the replica ID and peers of srv and the gateway's nonce
// cache. usersFile names the default state directory.
func (f *replicaFlags) apply(srv *pgwire.Server, gw *gateway.Gateway, listen, usersFile string) error {
	peers := splitList(*f.peers)
	if *f.id < -1 || *f.id > pgwire.MaxReplicaID {
		return fmt.Errorf("-replica-id %d is outside 0 to %d", *f.id, pgwire.MaxReplicaID)
	}
	if len(peers) > 0 && *f.id < 0 {
		return fmt.Errorf("-peers needs -replica-id: give each replica a different ID from 0 to %d, so a cancel request names its replica", pgwire.MaxReplicaID)
	}
	for _, p := range peers {
		if _, _, err := net.SplitHostPort(p); err != nil {
			return fmt.Errorf("-peers: %q is not host:port: %w", p, err)
		}
		if p == listen {
			return fmt.Errorf("-peers lists this replica's own -listen address %s: list only the other replicas", p)
		}
	}
	if *f.id >= 0 {
		srv.ReplicaID = uint8(*f.id)
	}
	srv.Peers = peers
	dir := *f.stateDir
	if dir == "" {
		abs, err := filepath.Abs(usersFile)
		if err != nil {
			return fmt.Errorf("-state-dir: %w", err)
		}
		sum := sha256.Sum256([]byte(abs))
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("meshgate-state-%d-%s", os.Geteuid(), hex.EncodeToString(sum[:6])))
	}
	nonces, err := delegation.OpenDirNonces(dir)
	if err != nil {
		return fmt.Errorf("-state-dir: %w", err)
	}
	gw.SetNonces(nonces)
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
