// Package redteam attacks the real meshgate binary as an attacker would.
package redteam
