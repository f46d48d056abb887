package catalog

import (
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		12 * time.Hour: "12h", 90 * time.Minute: "1h30m", 45 * time.Second: "45s", 0: "0s",
		time.Hour + time.Second: "1h1s", 720 * time.Hour: "720h", 1500 * time.Millisecond: "1s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%s) = %q, want %q", d, got, want)
		}
		if d >= time.Second {
			if back, err := time.ParseDuration(FormatDuration(d)); err != nil || back != d.Truncate(time.Second) {
				t.Errorf("%q does not read back as %s: %v %v", FormatDuration(d), d, back, err)
			}
		}
	}
}

func TestParseDurationBounds(t *testing.T) {
	for in, ok := range map[string]bool{"5m": true, "720h": true, "4m59s": false, "721h": false, "12": false, "": false, "-1h": false} {
		_, msg := ParseDuration(in, SessionTTLMin, SessionTTLMax)
		if (msg == "") != ok {
			t.Errorf("ParseDuration(%q) message %q, want ok=%v", in, msg, ok)
		}
	}
	if msg := ValidatePasswordLength("elevenchars", 12); msg != "must be between 12 and 128 characters" {
		t.Errorf("ValidatePasswordLength: %q", msg)
	}
	if ValidatePasswordLength("twelve-chars", 12) != "" || ValidatePasswordMinLength(7) == "" || ValidatePasswordMinLength(128) != "" {
		t.Error("password length bounds")
	}
}
