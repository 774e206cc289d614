package kprod

import (
	"errors"
	"strings"
	"testing"
)

// SetSASLCredentials reaches kprod_sasl_set_credentials: a producer that logs
// in with a password takes new ones; one that does not is refused with
// ErrState; empty strings and a closed producer are refused too. (The
// rotation itself, against a broker, is tests/security/test_credential_rotation.)
func TestSetSASLCredentials(t *testing.T) {
	// No broker needed: nothing connects before the first message.
	scram, err := NewProducer(map[string]string{
		"bootstrap.servers": "127.0.0.1:1",
		"security.protocol": "SASL_PLAINTEXT",
		"sasl.mechanism":    "SCRAM-SHA-512",
		"sasl.username":     "alice",
		"sasl.password":     "old-password",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := scram.SetSASLCredentials("alice", "new-password"); err != nil {
		t.Fatalf("SetSASLCredentials: %v", err)
	}
	if err := scram.SetSASLCredentials("alice", ""); !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("empty password: got %v, want ErrInvalidArg", err)
	}
	if err := scram.Close(); err != nil {
		t.Fatal(err)
	}
	if err := scram.SetSASLCredentials("alice", "newer"); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: got %v, want ErrClosed", err)
	}

	plaintext, err := NewProducer(map[string]string{"bootstrap.servers": "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer plaintext.Close()
	err = plaintext.SetSASLCredentials("alice", "new-password")
	if !errors.Is(err, ErrState) || !strings.Contains(err.Error(), "does not log in with a user name and password") {
		t.Fatalf("PLAINTEXT producer: got %v, want ErrState saying why", err)
	}
}
