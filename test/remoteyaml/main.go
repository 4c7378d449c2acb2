// remoteyaml: reads a remote.yaml with singularity's schema (the Config, endpoint.Config,
// ServiceConfig and credential.Config field names and tags of sylabs/singularity
// internal/pkg/remote, re-typed here) and the same strict decoder (unknown fields are errors), and
// prints what it read as JSON. For sifkit's interop test of the files `sifkit remote` writes.
// Written for this project; builds with Debian's golang-gopkg-yaml.v3-dev.
//
//	remoteyaml FILE
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

type serviceConfig struct {
	URI      string `yaml:"URI"`
	Skip     bool   `yaml:"Skip"`
	External bool   `yaml:"External"`
	Insecure bool   `yaml:"Insecure"`
}

type endpointConfig struct {
	URI        string           `yaml:"URI,omitempty"`
	Token      string           `yaml:"Token,omitempty"`
	System     bool             `yaml:"System"`
	Exclusive  bool             `yaml:"Exclusive"`
	Insecure   bool             `yaml:"Insecure,omitempty"`
	Keyservers []*serviceConfig `yaml:"Keyservers,omitempty"`
}

type credentialConfig struct {
	URI      string `yaml:"URI"`
	Auth     string `yaml:"Auth,omitempty"`
	Insecure bool   `yaml:"Insecure"`
}

type config struct {
	DefaultRemote string                     `yaml:"Active"`
	Remotes       map[string]*endpointConfig `yaml:"Remotes"`
	Credentials   []*credentialConfig        `yaml:"Credentials,omitempty"`
}

func main() {
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var c config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		fmt.Fprintln(os.Stderr, "decode:", err)
		os.Exit(1)
	}
	out, _ := json.Marshal(c)
	fmt.Println(string(out))
}
