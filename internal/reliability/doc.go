// Package reliability holds the provider's and server's reliability and
// security tests: load, races, injected faults, a server killed mid-apply,
// hostile configurations and secret leakage. It has no code of its own; the
// figures of a real run are in RELIABILITY.md.
package reliability
