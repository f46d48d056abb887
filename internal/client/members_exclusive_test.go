package client

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// The members_exclusive mark travels with the whole-set PUT, shows on the
// group and the member set, and a per-user change to a marked group is an
// error matching both ErrMembersExclusive and ErrConflict.
func TestIntegrationMembersExclusive(t *testing.T) {
	_, c := serverClient(t)
	ctx := context.Background()
	u, err := c.CreateUser(ctx, UserCreate{Username: "ex", Email: "ex@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := c.CreateUser(ctx, UserCreate{Username: "other", Email: "other@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.CreateGroup(ctx, GroupCreate{Name: "Ops", Organization: "Acme"})
	if err != nil {
		t.Fatal(err)
	}

	set, err := c.PutMemberSet(ctx, g.ID, []string{u.ID}, ptr(true))
	if err != nil || !set.Exclusive || len(set.UserIDs) != 1 {
		t.Fatalf("PutMemberSet(exclusive) = %+v, %v", set, err)
	}
	if got, err := c.GetGroup(ctx, g.ID); err != nil || !got.MembersExclusive {
		t.Fatalf("GetGroup after marking = %+v, %v", got, err)
	}
	// SetMembers leaves the mark alone.
	if _, err := c.SetMembers(ctx, g.ID, []string{u.ID}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetMemberSet(ctx, g.ID); err != nil || !got.Exclusive {
		t.Fatalf("GetMemberSet after SetMembers = %+v, %v", got, err)
	}

	_, err = c.AddMember(ctx, g.ID, other.ID)
	if !errors.Is(err, ErrMembersExclusive) || !errors.Is(err, ErrConflict) {
		t.Fatalf("AddMember on a marked group = %v, want ErrMembersExclusive", err)
	}
	if !strings.Contains(err.Error(), "group Acme:Ops has its members managed as a whole set") {
		t.Errorf("AddMember error does not quote the server: %v", err)
	}
	if err := c.RemoveMember(ctx, g.ID, u.ID); !errors.Is(err, ErrMembersExclusive) {
		t.Fatalf("RemoveMember on a marked group = %v, want ErrMembersExclusive", err)
	}

	if set, err = c.PutMemberSet(ctx, g.ID, []string{u.ID}, ptr(false)); err != nil || set.Exclusive {
		t.Fatalf("PutMemberSet(clear) = %+v, %v", set, err)
	}
	if _, err := c.AddMember(ctx, g.ID, other.ID); err != nil {
		t.Fatalf("AddMember after clearing: %v", err)
	}
	// Another conflict is not this one.
	_, err = c.CreateGroup(ctx, GroupCreate{Name: "Ops", Organization: "Acme"})
	if !errors.Is(err, ErrConflict) || errors.Is(err, ErrMembersExclusive) {
		t.Fatalf("duplicate group = %v, want ErrConflict only", err)
	}
}
