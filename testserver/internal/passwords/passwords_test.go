package passwords

import (
	"strings"
	"testing"
)

func TestDefaultParameters(t *testing.T) {
	h, err := Hash("correct horse battery staple", Default)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Count(h, "$") != 5 {
		t.Fatalf("hash %q", h)
	}
	p, err := ParamsOf(h)
	if err != nil || p.Memory != 19456 || p.Time != 2 || p.Threads != 1 || p.KeyLen != 32 || p.SaltLen != 16 {
		t.Fatalf("params %+v %v", p, err)
	}
	if ok, err := Verify("correct horse battery staple", h); !ok || err != nil {
		t.Fatalf("verify: %v %v", ok, err)
	}
	if ok, _ := Verify("correct horse battery stapl", h); ok {
		t.Fatal("wrong password accepted")
	}
}

func TestLowCostAndSalting(t *testing.T) {
	a, _ := Hash("same-password", Low)
	b, _ := Hash("same-password", Low)
	if a == b {
		t.Fatal("hashes are not salted")
	}
	// Verification reads the parameters from the hash, whatever the current preset.
	if ok, err := Verify("same-password", a); !ok || err != nil {
		t.Fatalf("verify low: %v %v", ok, err)
	}
	long := strings.Repeat("é", 128)
	h, _ := Hash(long, Low)
	if ok, _ := Verify(long[:len(long)-2], h); ok {
		t.Fatal("a truncated password matched")
	}
}

func TestMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$a2V5"} {
		if ok, err := Verify("x", h); ok || err == nil {
			t.Errorf("%q: %v %v", h, ok, err)
		}
	}
	if _, err := Preset("huge"); err == nil {
		t.Fatal("unknown preset accepted")
	}
}
