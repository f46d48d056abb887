package client

import "testing"

// Field errors are quoted unless the detail already says them.
func TestAPIErrorDoesNotRepeatTheDetail(t *testing.T) {
	for _, tc := range []struct {
		err  APIError
		want string
	}{
		{APIError{StatusCode: 400, Detail: `role "nope" does not exist`, Errors: map[string]string{"role": `"nope" does not exist`}},
			`400 Bad Request: role "nope" does not exist`},
		{APIError{StatusCode: 400, Detail: "2 field(s) are invalid", Errors: map[string]string{"email": "is not an email", "role": "must not be empty"}},
			`400 Bad Request: 2 field(s) are invalid (email: is not an email; role: must not be empty)`},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}
