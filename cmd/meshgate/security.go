package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/gateway/pgwire"
)

// secFlags are serve's authentication, TLS and limit flags.
type secFlags struct {
	tlsCert, tlsKey, secretFile string
	requireTLS                  bool
	maxConns, maxConnsPerUser   int
	stmtTimeout, maxStmtTimeout string
	idleTimeout                 string
	throttleBase, throttleMax   time.Duration
	throttleSize                int
}

func securityFlags(fs *flag.FlagSet) *secFlags {
	f := &secFlags{}
	fs.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate (PEM, chain first); enables TLS with -tls-key")
	fs.StringVar(&f.tlsKey, "tls-key", "", "TLS private key (PEM)")
	fs.BoolVar(&f.requireTLS, "require-tls", false, "refuse every connection without TLS (access rules can require it per user with type: hostssl)")
	fs.StringVar(&f.secretFile, "auth-secret-file", "", "file whose contents derive the fake SCRAM salts of unknown users (default: derived from the TLS key, else random per start)")
	fs.IntVar(&f.maxConns, "max-connections", 100, "most sessions at once, all users together (0: no limit)")
	fs.IntVar(&f.maxConnsPerUser, "max-connections-per-user", 0, "most sessions per user unless the user has connection_limit (0: no limit)")
	fs.StringVar(&f.stmtTimeout, "statement-timeout", "0", "default statement_timeout, e.g. 5min, unless the user has one (0: none)")
	fs.StringVar(&f.maxStmtTimeout, "max-statement-timeout", "0", "largest statement_timeout a session may SET unless the user has max_statement_timeout (0: no maximum)")
	fs.StringVar(&f.idleTimeout, "idle-session-timeout", "0", "close sessions idle this long unless the user has idle_session_timeout (0: never)")
	fs.DurationVar(&f.throttleBase, "login-delay", 250*time.Millisecond, "delay after the first failed login from an address; doubles with each further failure")
	fs.DurationVar(&f.throttleMax, "login-delay-max", 10*time.Second, "longest delay imposed after failed logins")
	fs.IntVar(&f.throttleSize, "login-delay-addresses", 10000, "client addresses whose failures are remembered (least recent forgotten first)")
	return f
}

func parseFlagDuration(name, v string) (time.Duration, error) {
	if v == "0" || v == "" {
		return 0, nil
	}
	d, err := auth.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("-%s: %v", name, err)
	}
	return d, nil
}

// apply configures TLS on srv and authentication on gw.
func (f *secFlags) apply(srv *pgwire.Server, gw *gateway.Gateway, log *slog.Logger) error {
	var keyPEM []byte
	switch {
	case f.tlsCert != "" && f.tlsKey != "":
		cfg, err := auth.ServerTLSConfig(f.tlsCert, f.tlsKey)
		if err != nil {
			return err
		}
		srv.TLSConfig = cfg
		keyPEM, _ = os.ReadFile(f.tlsKey)
	case f.tlsCert != "" || f.tlsKey != "":
		return errors.New("-tls-cert and -tls-key go together")
	case f.requireTLS:
		return errors.New("-require-tls needs a certificate: give -tls-cert and -tls-key (meshgate cert makes a throw-away one)")
	}
	var secret []byte
	switch {
	case f.secretFile != "":
		b, err := os.ReadFile(f.secretFile)
		if err != nil {
			return fmt.Errorf("-auth-secret-file: %w", err)
		}
		if len(strings.TrimSpace(string(b))) < 16 {
			return fmt.Errorf("-auth-secret-file %s: the secret must be at least 16 characters", f.secretFile)
		}
		secret = b
	case keyPEM != nil:
		h := sha256.Sum256(append([]byte("meshgate auth secret\x00"), keyPEM...))
		secret = h[:]
	default:
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return err
		}
		log.Info("no -auth-secret-file: unknown users' fake SCRAM salts change at each start")
	}
	var lim gateway.Limits
	var err error
	lim.MaxConnections, lim.MaxConnectionsPerUser = f.maxConns, f.maxConnsPerUser
	if lim.StatementTimeout, err = parseFlagDuration("statement-timeout", f.stmtTimeout); err != nil {
		return err
	}
	if lim.MaxStatementTimeout, err = parseFlagDuration("max-statement-timeout", f.maxStmtTimeout); err != nil {
		return err
	}
	if lim.IdleSessionTimeout, err = parseFlagDuration("idle-session-timeout", f.idleTimeout); err != nil {
		return err
	}
	srv.Authenticator = gw.Secure(gateway.SecurityConfig{
		Secret:     secret,
		RequireTLS: f.requireTLS,
		Throttle:   auth.NewThrottle(f.throttleSize, f.throttleBase, f.throttleMax),
		Limits:     lim,
	})
	for _, r := range gw.Users().Rules() {
		if r.Method == auth.MethodTrust {
			log.Warn("an access rule admits users without a password (method trust): for demos only", "rule", r.String())
		}
	}
	return nil
}

// reloadOnSIGHUP reloads the users file on SIGHUP until ctx is done.
func reloadOnSIGHUP(ctx context.Context, gw *gateway.Gateway, also ...func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	defer signal.Stop(ch)
	for {
		select {
		case <-ch:
			_ = gw.ReloadUsers() // logged; a broken file keeps the old one
			for _, f := range also {
				f()
			}
		case <-ctx.Done():
			return
		}
	}
}

// stdin is where passwd reads (tests replace it).
var stdin io.Reader = os.Stdin

func passwd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("passwd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	iterations := fs.Int("iterations", auth.DefaultIterations, "PBKDF2 iterations")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: meshgate passwd [-iterations N] < password\n\nPrints the SCRAM-SHA-256 verifier to paste as password: in the users file.\nOn a terminal the password is asked twice without echo.")
	}
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return 2
	}
	if *iterations < 4096 {
		fmt.Fprintln(stderr, "meshgate passwd: -iterations must be at least 4096")
		return 2
	}
	var pw string
	if f, ok := stdin.(*os.File); ok && isTerminal(f) {
		a, err := readHidden(f, stderr, "Password: ")
		if err != nil {
			fmt.Fprintf(stderr, "meshgate passwd: %v\n", err)
			return 1
		}
		b, err := readHidden(f, stderr, "Again: ")
		if err != nil {
			fmt.Fprintf(stderr, "meshgate passwd: %v\n", err)
			return 1
		}
		if a != b {
			fmt.Fprintln(stderr, "meshgate passwd: the passwords differ")
			return 1
		}
		pw = a
	} else {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			fmt.Fprintf(stderr, "meshgate passwd: %v\n", err)
			return 1
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if pw == "" {
		fmt.Fprintln(stderr, "meshgate passwd: the password is empty")
		return 1
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		fmt.Fprintf(stderr, "meshgate passwd: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, auth.NewVerifier(pw, salt, *iterations).String())
	return 0
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// readHidden reads one line from the terminal f with echo turned off
// (through stty, so no terminal library is needed).
func readHidden(f *os.File, prompt io.Writer, text string) (string, error) {
	fmt.Fprint(prompt, text)
	stty := func(arg string) error {
		cmd := exec.Command("stty", arg)
		cmd.Stdin = f
		return cmd.Run()
	}
	if err := stty("-echo"); err != nil {
		return "", fmt.Errorf("cannot turn terminal echo off (stty: %v); pipe the password instead: echo … | meshgate passwd", err)
	}
	defer func() {
		_ = stty("echo")
		fmt.Fprintln(prompt)
	}()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func cert(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "directory to write ca.crt, server.crt and server.key into (created if missing)")
	hosts := fs.String("host", "127.0.0.1,localhost", "host names and IP addresses the certificate is valid for, comma separated")
	days := fs.Int("days", 365, "validity in days")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return 2
	}
	if *out == "" {
		fmt.Fprintln(stderr, "meshgate cert: -out DIR is required")
		return 2
	}
	hs := auth.SplitHosts(*hosts)
	if len(hs) == 0 {
		fmt.Fprintln(stderr, "meshgate cert: -host needs at least one host name or address")
		return 2
	}
	certs, err := auth.GenerateCerts(hs, time.Duration(*days)*24*time.Hour)
	if err == nil {
		err = certs.Write(*out)
	}
	if err != nil {
		fmt.Fprintf(stderr, "meshgate cert: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s, %s and %s for %s\nserve with:   -tls-cert %s -tls-key %s\nconnect with: sslmode=verify-full sslrootcert=%s\n",
		filepath.Join(*out, auth.CACertFile), filepath.Join(*out, auth.ServerCertFile), filepath.Join(*out, auth.ServerKeyFile),
		strings.Join(hs, ", "), filepath.Join(*out, auth.ServerCertFile), filepath.Join(*out, auth.ServerKeyFile), filepath.Join(*out, auth.CACertFile))
	return 0
}
