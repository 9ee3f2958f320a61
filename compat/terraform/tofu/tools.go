//go:build tools

// Package tools pins OpenTofu's command in go.mod, so `go build github.com/opentofu/opentofu/cmd/tofu` in this
// module builds exactly the version go.mod requires.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
