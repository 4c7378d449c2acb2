#!/usr/bin/env bash
# Regenerates sifkit's committed test fixtures with the reference tools:
#   siftool (Debian siftool 2.8.3), sif-ref (test/oracle, the reference Go library),
#   mksquashfs (squashfs-tools) and GnuPG. Run from anywhere:  bash testdata/generate.sh
# Inputs are the files under testdata/input (owned by this project). Outputs: testdata/keys,
# testdata/images and testdata/golden (siftool outputs and sif-ref JSON for every image).
# Needs: apt-get install siftool squashfs-tools gnupg golang-go golang-github-sylabs-sif-dev
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
oracle=${SIF_ORACLE:-}
if [[ -z $oracle ]]; then
  bash "$root/test/oracle/build.sh" "$work/sif-ref" >/dev/null
  oracle=$work/sif-ref
fi
in=$here/input keys=$here/keys img=$here/images gold=$here/golden
rm -rf "$keys" "$img" "$gold"
mkdir -p "$keys" "$img" "$gold"

# Keys: a signing key (RSA 3072, no passphrase) and an unrelated key (Ed25519) for "unknown signer".
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'sifkit sample (test key) <sample@sifkit.test>' rsa3072 sign never
gpg --batch --quiet --passphrase '' --quick-gen-key 'Somebody Else <else@sifkit.test>' ed25519 sign never
gpg --batch --armor --export sample@sifkit.test > "$keys/sample-public.asc"
gpg --batch --armor --pinentry-mode loopback --passphrase '' --export-secret-keys sample@sifkit.test > "$keys/sample-secret.asc"
gpg --batch --armor --export else@sifkit.test > "$keys/other-public.asc"
gpg --batch --export sample@sifkit.test else@sifkit.test > "$keys/both-public.gpg"

# Root file system: squashfs with fixed times and owners so its bytes are stable.
mksquashfs "$in/rootfs" "$work/rootfs.squashfs" -noappend -all-root -comp gzip \
  -mkfs-time 1593475316 -all-time 1593475316 -no-progress -quiet >/dev/null

# sample.sif: what `singularity build` makes: Def.FILE, JSON.Labels and the primary squashfs in group 1.
s=$img/sample.sif
siftool new "$s"
siftool add "$s" "$in/sample.def" --datatype 1 --groupid 1 --filename sample.def
siftool add "$s" "$in/labels.json" --datatype 3 --groupid 1 --filename labels.json
siftool add "$s" "$work/rootfs.squashfs" --datatype 4 --parttype 2 --partfs 1 --partarch 2 --groupid 1
cp "$s" "$img/sample-signed.sif"
"$oracle" sign --key "$keys/sample-secret.asc" "$img/sample-signed.sif" > /dev/null

# multi.sif: three groups, every data type siftool 2.8.3 writes, an explicit alignment, a deleted
# object, an object outside any group linked to another, and a raw signature-typed object.
m=$img/multi.sif
siftool new "$m"
siftool add "$m" "$in/sample.def" --datatype 1 --groupid 1 --filename sample.def
siftool add "$m" "$in/env.sh" --datatype 2 --groupid 1 --filename env.sh
siftool add "$m" "$in/labels.json" --datatype 3 --groupid 1
siftool add "$m" "$work/rootfs.squashfs" --datatype 4 --parttype 2 --partfs 1 --partarch 2 --groupid 1
siftool add "$m" "$in/data.bin" --datatype 4 --parttype 3 --partfs 4 --partarch 4 --groupid 2 --alignment 512
siftool add "$m" "$in/generic.json" --datatype 6 --groupid 2 --filename generic.json
siftool add "$m" "$in/data.bin" --datatype 7 --groupid 2 --filename data.bin --link 5
siftool add "$m" "$in/crypt-message.bin" --datatype 8 --groupid 3
siftool add "$m" "$in/sbom.spdx.json" --datatype 9 --sbomformat spdx-json --groupid 3
siftool add "$m" "$in/data.bin" --datatype 7 --groupid 3 --filename deleted.bin
siftool del 10 "$m"
siftool add "$m" "$in/data.bin" --datatype 4 --parttype 1 --partfs 2 --partarch 12 --groupid 3 --alignment 64
cp "$m" "$img/multi-signed.sif"
"$oracle" sign --key "$keys/sample-secret.asc" "$img/multi-signed.sif" > /dev/null
# and a copy signed only for group 2 by object selection (a signature covering a subset)
cp "$m" "$img/multi-signed-objects.sif"
"$oracle" sign --key "$keys/sample-secret.asc" --object 5 --object 6 "$img/multi-signed-objects.sif" > /dev/null

# Goldens: siftool's outputs and the reference library's view of every image.
for f in "$img"/*.sif; do
  n=$(basename "$f" .sif)
  siftool header "$f" > "$gold/$n.header"
  siftool list "$f" > "$gold/$n.list"
  "$oracle" inspect "$f" > "$gold/$n.inspect.json"
  for id in $(seq 1 20); do
    siftool info "$id" "$f" > "$gold/$n.info.$id" 2>/dev/null || rm -f "$gold/$n.info.$id"
  done
  "$oracle" verify --key "$keys/sample-public.asc" "$f" > "$gold/$n.verify.json" || true
  "$oracle" verify --key "$keys/other-public.asc" "$f" > "$gold/$n.verify-other.json" || true
  "$oracle" signed-by "$f" > "$gold/$n.signed-by-any.json" || true
  "$oracle" signed-by --all "$f" > "$gold/$n.signed-by-all.json" || true
done
o=$img/multi-signed-objects.sif
"$oracle" verify --key "$keys/sample-public.asc" --object 5 "$o" > "$gold/multi-signed-objects.verify-object-5.json" || true
"$oracle" verify --key "$keys/sample-public.asc" --object 7 "$o" > "$gold/multi-signed-objects.verify-object-7.json" || true
"$oracle" verify --key "$keys/sample-public.asc" --group 2 "$o" > "$gold/multi-signed-objects.verify-group-2.json" || true
"$oracle" verify --key "$keys/sample-public.asc" --group 1 --group 3 "$img/multi-signed.sif" > "$gold/multi-signed.verify-groups-1-3.json" || true
echo "fixtures written to $here"
