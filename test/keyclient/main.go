// keyclient: the reference Go keyserver client (Debian's golang-github-apptainer-container-key-client-dev)
// behind a tiny command line, for sifkit's interop tests. Written for this project.
//
//	keyclient get URL HEXID        prints the armored key the server returns
//	keyclient add URL FILE         submits the armored key in FILE
//	keyclient index URL SEARCH     prints the machine-readable index
package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/apptainer/container-key-client/client"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: keyclient get|add|index URL ARG")
		os.Exit(2)
	}
	c, err := client.NewClient(client.OptBaseURL(os.Args[2]))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx := context.Background()
	switch os.Args[1] {
	case "get":
		id, err := hex.DecodeString(os.Args[3])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		text, err := c.GetKey(ctx, id)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Print(text)
	case "add":
		b, err := os.ReadFile(os.Args[3])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := c.PKSAdd(ctx, string(b)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	case "index":
		text, err := c.PKSLookup(ctx, nil, os.Args[3], client.OperationIndex, true, false, []string{client.OptionMachineReadable})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Print(text)
	default:
		fmt.Fprintln(os.Stderr, "usage: keyclient get|add|index URL ARG")
		os.Exit(2)
	}
}
