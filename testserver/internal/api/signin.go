package api

import (
	"context"
	"errors"
	"strings"

	"github.com/seed/terraform-provider-identity/testserver/internal/store"
)

// loginAccount finds the account a login names: by email when email is
// given; otherwise name is a username or, when no username matches and it
// holds an @, an email. It also returns the account's key in the login
// throttle, its id, so naming one account two ways counts its failures
// once; a name that matches no account is its own key. It applies the
// settings' throttle threshold and window first.
func (a *API) loginAccount(ctx context.Context, name, email string) (store.User, string, error) {
	s, err := a.settings(ctx, a.st.R)
	if err != nil {
		return store.User{}, "", err
	}
	cfg := a.throttleBase
	cfg.MaxFailures, cfg.Window = s.LoginThrottleThreshold, s.LoginThrottleWindow
	a.throttle.Configure(cfg)
	var u store.User
	switch {
	case email != "":
		name = email
		u, err = store.GetUserByEmail(ctx, a.st.R, email)
	default:
		u, err = store.GetUserByUsername(ctx, a.st.R, name)
		if errors.Is(err, store.ErrNotFound) && strings.Contains(name, "@") {
			u, err = store.GetUserByEmail(ctx, a.st.R, name)
		}
	}
	if err != nil {
		return u, "name:" + accountName(name), err
	}
	return u, "user:" + u.ID, nil
}
