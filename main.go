// Command terraform-provider-identity serves the identity Terraform provider.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"strings"

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
	if !debug {
		quietPluginLogs()
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/seed/identity",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// quietPluginLogs turns the plugin SDK's and the provider's logs off when
// Terraform is not logging. Without a level set, the framework writes every
// trace line as JSON to Terraform, which parses each one and drops it; for a
// plan of 500 users that was 40% of the time. Any TF_LOG* setting keeps the
// usual behaviour, and so does -debug, where the logs go to the terminal.
func quietPluginLogs() {
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "TF_LOG") && v != "" {
			return
		}
	}
	for _, k := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
		_ = os.Setenv(k, "off")
	}
}
