package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/meshgate/meshgate/auth/delegation"
)

// keygen writes a federation gateway's delegation key and prints the
// public key its domain gateways list under trusted_gateways.
func keygen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: meshgate keygen FILE\n\nWrites a new Ed25519 delegation key to FILE (mode 0600, never overwritten)\nand prints its public key, to paste as key: of a trusted_gateways entry\nin each domain gateway's users file.")
	}
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	pub, err := delegation.WritePrivateKey(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "meshgate keygen: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, delegation.FormatPublicKey(pub))
	return 0
}
