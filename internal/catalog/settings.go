package catalog

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Server settings: their defaults and bounds, read by the server when it
// validates a change and by the provider at plan time.
const (
	DefaultSelfRegistrationRole   = RoleGuest
	DefaultSessionTTL             = 12 * time.Hour
	DefaultLoginThrottleThreshold = 5
	DefaultLoginThrottleWindow    = 15 * time.Minute

	// SelfRegistrationMinLevel is the lowest level a self-registration role
	// may have: whoever signs up on their own never reads other identities.
	SelfRegistrationMinLevel = LevelRead

	SessionTTLMin             = 5 * time.Minute
	SessionTTLMax             = 30 * 24 * time.Hour
	LoginThrottleThresholdMin = 1
	LoginThrottleThresholdMax = 1000
	LoginThrottleWindowMin    = time.Minute
	LoginThrottleWindowMax    = 24 * time.Hour
)

// ValidatePasswordLength returns a message describing why password is not
// acceptable under a minimum length of minLen characters, or "". ValidatePassword
// is this with the smallest minimum, PasswordMinLength.
func ValidatePasswordLength(password string, minLen int) string {
	if !utf8.ValidString(password) {
		return "must be valid UTF-8"
	}
	n := utf8.RuneCountInString(password)
	if n < minLen || n > PasswordMaxLength {
		return fmt.Sprintf("must be between %d and %d characters", minLen, PasswordMaxLength)
	}
	return ""
}

// ValidatePasswordMinLength returns a message describing why n cannot be the
// minimum password length, or "".
func ValidatePasswordMinLength(n int64) string {
	if n < PasswordMinLength || n > PasswordMaxLength {
		return fmt.Sprintf("must be between %d and %d", PasswordMinLength, PasswordMaxLength)
	}
	return ""
}

// ValidateLoginThrottleThreshold returns a message describing why n cannot be
// the number of failed logins that locks an account, or "".
func ValidateLoginThrottleThreshold(n int64) string {
	if n < LoginThrottleThresholdMin || n > LoginThrottleThresholdMax {
		return fmt.Sprintf("must be between %d and %d", LoginThrottleThresholdMin, LoginThrottleThresholdMax)
	}
	return ""
}

// ParseDuration parses a duration such as "12h", "90m" or "1h30m" that must
// lie between minD and maxD; the message says why not, or is "".
func ParseDuration(s string, minD, maxD time.Duration) (time.Duration, string) {
	d, err := time.ParseDuration(s)
	if err != nil || d < minD || d > maxD {
		return 0, fmt.Sprintf("must be a duration such as %q between %s and %s", FormatDuration(minD*3), FormatDuration(minD), FormatDuration(maxD))
	}
	return d, ""
}

// FormatDuration renders d in whole hours, minutes and seconds without zero
// parts: 12h, 15m, 1h30m, 45s. Sub-second parts are dropped.
func FormatDuration(d time.Duration) string {
	d = d.Truncate(time.Second)
	if d <= 0 {
		return "0s"
	}
	var b strings.Builder
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m := d % time.Hour / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s := d % time.Minute / time.Second; s > 0 {
		fmt.Fprintf(&b, "%ds", s)
	}
	return b.String()
}
