// sif-ref: sifkit's JSON front end to the reference SIF library (github.com/sylabs/sif/v2 as Debian
// packages it, 2.8.3), for interop tests. Each run prints one JSON document on stdout.
//
//	sif-ref inspect IMAGE
//	sif-ref verify    [--key F]... [--group N]... [--object N]... [--legacy] [--legacy-all] IMAGE
//	sif-ref signed-by [--key F]... [--all] IMAGE
//	sif-ref sign      --key F [--passphrase P] [--group N]... [--object N]... [--time RFC3339] [--deterministic] IMAGE
//
// Exit status: 0 success, 1 failure described in the JSON, 2 usage error.
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/sylabs/sif/v2/pkg/integrity"
	"github.com/sylabs/sif/v2/pkg/sif"
)

// args holds every flag any command takes; each command reads the ones it needs.
type args struct {
	keys, groups, objects  []string
	legacy, legacyAll, all bool
	deterministic          bool
	passphrase, signTime   string
	image                  string
	groupIDs, objectIDs    []uint32
}

type listFlag struct{ into *[]string }

func (l listFlag) String() string     { return "" }
func (l listFlag) Set(v string) error { *l.into = append(*l.into, v); return nil }

func parseArgs(cmd string, argv []string) args {
	var a args
	fl := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fl.Var(listFlag{&a.keys}, "key", "OpenPGP key file, armored or binary (repeatable)")
	fl.Var(listFlag{&a.groups}, "group", "group ID (repeatable)")
	fl.Var(listFlag{&a.objects}, "object", "object ID (repeatable)")
	fl.BoolVar(&a.legacy, "legacy", false, "legacy signatures")
	fl.BoolVar(&a.legacyAll, "legacy-all", false, "legacy signatures of every non-signature object")
	fl.BoolVar(&a.all, "all", false, "signed-by: AllSignedBy instead of AnySignedBy")
	fl.BoolVar(&a.deterministic, "deterministic", false, "sign without random salt")
	fl.StringVar(&a.passphrase, "passphrase", "", "passphrase of the signing key")
	fl.StringVar(&a.signTime, "time", "", "signing time (RFC 3339)")
	if err := fl.Parse(argv); err != nil {
		usageError(err.Error())
	}
	if fl.NArg() != 1 {
		usageError("one IMAGE expected")
	}
	a.image = fl.Arg(0)
	a.groupIDs = toIDs(a.groups)
	a.objectIDs = toIDs(a.objects)
	return a
}

func toIDs(in []string) []uint32 {
	var out []uint32
	for _, s := range in {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			usageError(fmt.Sprintf("not an ID: %q", s))
		}
		out = append(out, uint32(n))
	}
	return out
}

func usageError(msg string) {
	fmt.Fprintln(os.Stderr, "sif-ref:", msg)
	os.Exit(2)
}

// answer prints the document and exits 0 or 1.
func answer(doc interface{}, success bool) {
	out, _ := json.MarshalIndent(doc, "", "  ")
	os.Stdout.Write(append(out, '\n'))
	if success {
		os.Exit(0)
	}
	os.Exit(1)
}

type failure struct {
	OK    bool   `json:"ok"`
	Error string `json:"error"`
}

func check(err error) {
	if err != nil {
		answer(failure{Error: err.Error()}, false)
	}
}

func upperHex(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

// keyRing reads every key file: armored first, binary otherwise, as go-crypto's readers take them.
func keyRing(files []string) (openpgp.EntityList, error) {
	var ring openpgp.EntityList
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
		if err != nil {
			if el, err = openpgp.ReadKeyRing(bytes.NewReader(data)); err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
		}
		ring = append(ring, el...)
	}
	return ring, nil
}

func load(path string, writable bool) *sif.FileImage {
	var opts []sif.LoadOpt
	if !writable {
		opts = append(opts, sif.OptLoadWithFlag(os.O_RDONLY))
	}
	f, err := sif.LoadContainerFromPath(path, opts...)
	check(err)
	return f
}

func main() {
	if len(os.Args) < 2 {
		usageError("usage: sif-ref inspect|verify|signed-by|sign [flags] IMAGE")
	}
	commands := map[string]func(args){"inspect": inspect, "verify": verify, "signed-by": signedBy, "sign": sign}
	run, ok := commands[os.Args[1]]
	if !ok {
		usageError("unknown command " + os.Args[1])
	}
	run(parseArgs(os.Args[1], os.Args[2:]))
}

func inspect(a args) {
	f := load(a.image, false)
	defer f.UnloadContainer()
	header := map[string]interface{}{
		"launchScript": f.LaunchScript(), "version": f.Version(), "primaryArch": f.PrimaryArch(), "id": f.ID(),
		"createdAt": f.CreatedAt().Unix(), "modifiedAt": f.ModifiedAt().Unix(),
		"descriptorsFree": f.DescriptorsFree(), "descriptorsTotal": f.DescriptorsTotal(),
		"descriptorsOffset": f.DescriptorsOffset(), "descriptorsSize": f.DescriptorsSize(),
		"dataOffset": f.DataOffset(), "dataSize": f.DataSize(),
	}
	var objects []map[string]interface{}
	f.WithDescriptors(func(d sif.Descriptor) bool {
		o := map[string]interface{}{
			"dataType": d.DataType().String(), "dataTypeCode": int(d.DataType()), "id": d.ID(), "groupID": d.GroupID(),
			"offset": d.Offset(), "size": d.Size(), "createdAt": d.CreatedAt().Unix(), "modifiedAt": d.ModifiedAt().Unix(),
			"name": d.Name(),
		}
		if id, isGroup := d.LinkedID(); id != 0 {
			o["linkedID"], o["linkIsGroup"] = id, isGroup
		}
		if fs, pt, arch, err := d.PartitionMetadata(); err == nil {
			o["partition"] = map[string]string{"fsType": fs.String(), "partType": pt.String(), "arch": arch}
		}
		if ht, fp, err := d.SignatureMetadata(); err == nil {
			o["signature"] = map[string]string{"hashType": ht.String(), "fingerprint": upperHex(fp)}
		}
		if ft, mt, err := d.CryptoMessageMetadata(); err == nil {
			o["cryptoMessage"] = map[string]string{"formatType": ft.String(), "messageType": mt.String()}
		}
		if sf, err := d.SBOMMetadata(); err == nil {
			o["sbom"] = map[string]string{"format": sf.String()}
		}
		objects = append(objects, o)
		return false
	})
	answer(map[string]interface{}{"ok": true, "header": header, "descriptors": objects}, true)
}

type signatureResult struct {
	Signature   uint32   `json:"signature"`
	Verified    []uint32 `json:"verified"`
	Fingerprint string   `json:"fingerprint,omitempty"`
	Identities  []string `json:"identities,omitempty"`
	Error       string   `json:"error,omitempty"`
}

type verifyAnswer struct {
	OK        bool              `json:"ok"`
	Error     string            `json:"error,omitempty"`
	ErrorKind string            `json:"errorKind,omitempty"`
	Results   []signatureResult `json:"results"`
}

// verifier builds the reference verifier for the selection; results collects the callback's view.
func verifier(a args, f *sif.FileImage, results *[]signatureResult) *integrity.Verifier {
	var opts []integrity.VerifierOpt
	if len(a.keys) > 0 {
		ring, err := keyRing(a.keys)
		check(err)
		opts = append(opts, integrity.OptVerifyWithKeyRing(ring))
	}
	for _, g := range a.groupIDs {
		opts = append(opts, integrity.OptVerifyGroup(g))
	}
	for _, o := range a.objectIDs {
		opts = append(opts, integrity.OptVerifyObject(o))
	}
	if a.legacy {
		opts = append(opts, integrity.OptVerifyLegacy())
	}
	if a.legacyAll {
		opts = append(opts, integrity.OptVerifyLegacyAll())
	}
	opts = append(opts, integrity.OptVerifyCallback(func(r integrity.VerifyResult) bool {
		res := signatureResult{Signature: r.Signature().ID()}
		for _, d := range r.Verified() {
			res.Verified = append(res.Verified, d.ID())
		}
		if e := r.Entity(); e != nil {
			res.Fingerprint = upperHex(e.PrimaryKey.Fingerprint)
			for name := range e.Identities {
				res.Identities = append(res.Identities, name)
			}
		}
		if r.Error() != nil {
			res.Error = r.Error().Error()
		}
		*results = append(*results, res)
		return false
	}))
	v, err := integrity.NewVerifier(f, opts...)
	check(err)
	return v
}

// kindOf names the reference's error type, for comparisons that do not depend on wording.
func kindOf(err error) string {
	var notValid *integrity.SignatureNotValidError
	var notFound *integrity.SignatureNotFoundError
	switch {
	case errors.As(err, &notValid):
		return "SignatureNotValid"
	case errors.As(err, &notFound):
		return "SignatureNotFound"
	case errors.Is(err, integrity.ErrNoKeyMaterial):
		return "NoKeyMaterial"
	}
	return ""
}

func verify(a args) {
	f := load(a.image, false)
	defer f.UnloadContainer()
	ans := verifyAnswer{}
	err := verifier(a, f, &ans.Results).Verify()
	ans.OK = err == nil
	if err != nil {
		ans.Error, ans.ErrorKind = err.Error(), kindOf(err)
	}
	answer(ans, ans.OK)
}

func signedBy(a args) {
	f := load(a.image, false)
	defer f.UnloadContainer()
	var results []signatureResult
	v := verifier(a, f, &results)
	by := v.AnySignedBy
	if a.all {
		by = v.AllSignedBy
	}
	fps, err := by()
	check(err)
	var hexes []string
	for _, fp := range fps {
		hexes = append(hexes, upperHex(fp))
	}
	answer(map[string]interface{}{"ok": true, "fingerprints": hexes}, true)
}

func sign(a args) {
	if len(a.keys) != 1 {
		usageError("sign takes one --key")
	}
	ring, err := keyRing(a.keys)
	check(err)
	if len(ring) != 1 {
		check(fmt.Errorf("expected one entity in %s, found %d", a.keys[0], len(ring)))
	}
	e := ring[0]
	if e.PrivateKey == nil {
		check(errors.New("key file holds no private key"))
	}
	if e.PrivateKey.Encrypted {
		check(e.PrivateKey.Decrypt([]byte(a.passphrase)))
	}
	opts := []integrity.SignerOpt{integrity.OptSignWithEntity(e)}
	for _, g := range a.groupIDs {
		opts = append(opts, integrity.OptSignGroup(g))
	}
	if len(a.objectIDs) > 0 {
		opts = append(opts, integrity.OptSignObjects(a.objectIDs...))
	}
	if a.signTime != "" {
		t, err := time.Parse(time.RFC3339, a.signTime)
		if err != nil {
			usageError(err.Error())
		}
		opts = append(opts, integrity.OptSignWithTime(func() time.Time { return t }))
	}
	if a.deterministic {
		opts = append(opts, integrity.OptSignDeterministic())
	}
	f := load(a.image, true)
	s, err := integrity.NewSigner(f, opts...)
	if err == nil {
		err = s.Sign()
	}
	if err != nil {
		f.UnloadContainer()
		check(err)
	}
	check(f.UnloadContainer())
	answer(map[string]interface{}{"ok": true, "fingerprint": upperHex(e.PrimaryKey.Fingerprint)}, true)
}
