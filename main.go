// Command terraform-provider-identity serves the identity Terraform provider.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/seed/terraform-provider-identity/internal/provider"
)

// Format the examples and generate the documentation.
//go:generate terraform fmt -recursive ./examples/
//go:generate go tool tfplugindocs generate --provider-name identity

// version is set by the linker at release time.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/seed/identity",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
