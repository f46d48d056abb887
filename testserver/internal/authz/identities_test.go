package authz

import (
	"testing"

	"github.com/seed/terraform-provider-identity/internal/catalog"
)

func TestReadIdentities(t *testing.T) {
	for _, tc := range []struct {
		level int
		allow bool
	}{
		{catalog.LevelSudo, true}, {catalog.LevelAdmin, true}, {catalog.LevelRead, true},
		{catalog.LevelRead + 1, false}, {256, false},
	} {
		err := ReadIdentities(Caller{Kind: KindUser, Role: "r", Level: tc.level})
		if (err == nil) != tc.allow {
			t.Errorf("level %d: err %v, want allowed=%v", tc.level, err, tc.allow)
		}
	}
}

func TestFileUser(t *testing.T) {
	if err := FileUser(UserRef{ID: "u", Role: RoleRef{Name: "guest", Level: 256}}); err != nil {
		t.Errorf("an ordinary user: %v", err)
	}
	err := FileUser(UserRef{ID: "s", System: true, Role: RoleRef{Name: catalog.RoleSudo}})
	if err == nil || err.Error() != "the system user is not part of the identities file and cannot be changed by one" {
		t.Errorf("the system user: %v", err)
	}
}
