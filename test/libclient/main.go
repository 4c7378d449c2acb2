// libclient: the reference Go library client (Debian's golang-github-apptainer-container-library-client-dev
// 1.2.2) behind a tiny command line, for sifkit's interop tests against the test library server.
// Written for this project.
//
//	libclient push URL TOKEN FILE e/c/ct ARCH TAG[,TAG] DESCRIPTION
//	libclient pull URL FILE e/c/ct TAG ARCH [PARTSIZE] (ConcurrentDownloadImage: 303 + ranged parts, or 200)
//	libclient image URL e/c/ct:TAG ARCH              prints the image record as JSON
//	libclient search URL VALUE ARCH SIGNED           prints the search results as JSON
//	libclient delete URL TOKEN e/c/ct:TAG ARCH
//	libclient parse REF...                           prints client.Parse of each ref as JSON lines
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/apptainer/container-library-client/client"
)

func die(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func newClient(url, token string) *client.Client {
	c, err := client.NewClient(&client.Config{BaseURL: url, AuthToken: token, UserAgent: "libclient (sifkit interop)"})
	if err != nil {
		die(err)
	}
	return c
}

func printJSON(v interface{}) {
	b, err := json.Marshal(v)
	if err != nil {
		die(err)
	}
	fmt.Println(string(b))
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: libclient push|pull|image|search|delete|parse ...")
		os.Exit(2)
	}
	ctx := context.Background()
	a := os.Args[2:]
	switch os.Args[1] {
	case "push":
		f, err := os.Open(a[2])
		if err != nil {
			die(err)
		}
		defer f.Close()
		res, err := newClient(a[0], a[1]).UploadImage(ctx, f, a[3], a[4], strings.Split(a[5], ","), a[6], nil)
		if err != nil {
			die(err)
		}
		printJSON(res)
	case "pull":
		f, err := os.OpenFile(a[1], os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
		if err != nil {
			die(err)
		}
		spec := &client.Downloader{Concurrency: 3, PartSize: 1 << 20, BufferSize: 32 << 10}
		if len(a) > 5 {
			if _, err := fmt.Sscan(a[5], &spec.PartSize); err != nil {
				die(err)
			}
		}
		if err := newClient(a[0], "").ConcurrentDownloadImage(ctx, f, a[4], a[2], a[3], spec, nil); err != nil {
			die(err)
		}
		if err := f.Close(); err != nil {
			die(err)
		}
	case "image":
		img, err := newClient(a[0], "").GetImage(ctx, a[2], a[1])
		if err != nil {
			die(err)
		}
		printJSON(img)
	case "search":
		args := map[string]string{"value": a[1], "arch": a[2]}
		if a[3] == "true" {
			args["signed"] = "true"
		}
		res, err := newClient(a[0], "").Search(ctx, args)
		if err != nil {
			die(err)
		}
		printJSON(res)
	case "delete":
		if err := newClient(a[0], a[1]).DeleteImage(ctx, a[2], a[3]); err != nil {
			die(err)
		}
	case "parse":
		for _, raw := range a {
			r, err := client.Parse(raw)
			if err != nil {
				printJSON(map[string]interface{}{"raw": raw, "error": err.Error()})
				continue
			}
			printJSON(map[string]interface{}{"raw": raw, "host": r.Host, "path": r.Path, "tags": r.Tags, "string": r.String()})
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}
