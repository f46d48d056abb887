// Package identities reads and applies the identities file: a server's users
// (without secrets), custom roles, groups with their members and grants as
// one document keyed by natural names, with the server's change counter as
// its version. The HTTP API (GET and PUT /api/v1/identities) and the
// identity-server export and import commands share it.
package identities

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Document is the identities file. Each entry describes the whole object: a
// field left out takes its default (empty, role guest, no members).
type Document struct {
	// Version is the change counter the file was exported at; 0 marks a
	// file that only creates. Required on apply.
	Version   *int64     `yaml:"version" json:"version"`
	Roles     []Role     `yaml:"roles" json:"roles"`
	Users     []User     `yaml:"users" json:"users"`
	Groups    []Group    `yaml:"groups" json:"groups"`
	Grants    []Grant    `yaml:"grants" json:"grants"`
	Deletions *Deletions `yaml:"deletions,omitempty" json:"deletions,omitempty"`
}

// Role is a custom role, keyed by name.
type Role struct {
	Name        string `yaml:"name" json:"name"`
	Level       *int64 `yaml:"level" json:"level"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
}

// User is a user without secrets, keyed by username.
type User struct {
	Username     string            `yaml:"username" json:"username"`
	Email        string            `yaml:"email" json:"email"`
	FirstName    string            `yaml:"first_name,omitempty" json:"first_name,omitempty"`
	LastName     string            `yaml:"last_name,omitempty" json:"last_name,omitempty"`
	Organization string            `yaml:"organization,omitempty" json:"organization,omitempty"`
	Role         string            `yaml:"role,omitempty" json:"role,omitempty"`
	Disabled     bool              `yaml:"disabled,omitempty" json:"disabled,omitempty"`
	Attributes   map[string]string `yaml:"attributes,omitempty" json:"attributes,omitempty"`
}

// Group is a group, keyed by its full name (Organization:Name), with its
// whole member set as usernames.
type Group struct {
	Name         string   `yaml:"name" json:"name"`
	Organization string   `yaml:"organization,omitempty" json:"organization,omitempty"`
	Description  string   `yaml:"description,omitempty" json:"description,omitempty"`
	Members      []string `yaml:"members,omitempty" json:"members,omitempty"`
}

// Grant is an operation on a scope granted to one principal, written
// user:USERNAME, group:FULL_NAME or role:NAME; the three together are its key.
type Grant struct {
	Operation string `yaml:"operation" json:"operation"`
	Scope     string `yaml:"scope" json:"scope"`
	Principal string `yaml:"principal" json:"principal"`
}

// Deletions lists what an apply deletes; nothing else is ever deleted.
type Deletions struct {
	Users  []string `yaml:"users,omitempty" json:"users,omitempty"`
	Groups []string `yaml:"groups,omitempty" json:"groups,omitempty"`
	Roles  []string `yaml:"roles,omitempty" json:"roles,omitempty"`
	Grants []Grant  `yaml:"grants,omitempty" json:"grants,omitempty"`
}

func (d *Deletions) empty() bool {
	return d == nil || len(d.Users)+len(d.Groups)+len(d.Roles)+len(d.Grants) == 0
}

// InvalidError is a file that cannot be applied as written. Fields maps a
// path inside the file (users[2].email, deletions.groups[0]) to what is
// wrong there; Detail is set instead for a file that does not parse.
type InvalidError struct {
	Detail string
	Fields map[string]string
}

func (e *InvalidError) Error() string {
	if e.Detail != "" {
		return e.Detail
	}
	return fmt.Sprintf("%d problem(s) in the identities file", len(e.Fields))
}

func invalidFields(fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	return &InvalidError{Fields: fields}
}

var unknownYAMLField = regexp.MustCompile(`^(line \d+): field (\S+) not found in type \S+$`)

// ParseYAML reads one YAML document (JSON is YAML too) into a Document.
// Unknown fields, values of the wrong type and a second document are
// refused with an *InvalidError naming the line; other read errors (a body
// over its limit) are returned as they are.
func ParseYAML(r io.Reader) (Document, error) {
	var doc Document
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return doc, yamlError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return doc, yamlError(err)
		}
		return doc, &InvalidError{Detail: "the identities file must be one YAML document, with nothing after it"}
	}
	return doc, nil
}

func yamlError(err error) error {
	var te *yaml.TypeError
	switch {
	case errors.Is(err, io.EOF):
		return &InvalidError{Detail: "the identities file is empty"}
	case errors.As(err, &te):
		msgs := make([]string, len(te.Errors))
		for i, m := range te.Errors {
			if p := unknownYAMLField.FindStringSubmatch(m); p != nil {
				m = fmt.Sprintf("%s: unknown field %q", p[1], p[2])
			}
			msgs[i] = m
		}
		return &InvalidError{Detail: "the identities file is invalid: " + strings.Join(msgs, "; ")}
	case strings.HasPrefix(err.Error(), "yaml: "):
		return &InvalidError{Detail: "the identities file is not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	return err
}

// WriteYAML writes doc as YAML, indented by two spaces.
func WriteYAML(w io.Writer, doc Document) error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteJSON writes doc as indented JSON.
func WriteJSON(w io.Writer, doc Document) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
