#!/usr/bin/env bash
# Regenerates the SquashFS-backed SIF fixtures under testdata/squashfs with the reference tools:
#   mksquashfs/unsquashfs 4.5.1 (squashfs-tools), gensquashfs/tar2sqfs (squashfs-tools-ng) and siftool.
# Needs: apt-get install squashfs-tools squashfs-tools-ng siftool python3.   Run: bash testdata/squashfs/make.sh
#
# The input trees are built here, deterministically, by tree.py (owned by this project). Every image is
# wrapped in a SIF as `singularity build` lays it out (the primary system partition, squashfs, amd64).
# For each image the goldens are what unsquashfs itself says:
#   <name>.lln     `unsquashfs -lln -UTC` (the listing `sifkit ls -lR` must equal, line for line)
#   <name>.files   one JSON line per extracted path (type, mode, size, sha256, link target, mtime,
#                  xattrs), read off `unsquashfs -d` as root — what `sifkit cat`/`extract` must equal.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$here/images gold=$here/golden
rm -rf "$out" "$gold"
mkdir -p "$out" "$gold"
export TZ=UTC
python3 "$here/tree.py" "$work"

# Special files by pseudo definition (no root needed), and owners other than root.
pseudo=(
  -p 'dev d 755 0 0'
  -p 'dev/null c 666 0 0 1 3'
  -p 'dev/sda1 b 660 0 6 8 1'
  -p 'dev/big c 600 0 0 300 70000'
  -p 'run d 1777 0 0'
  -p 'run/fifo i 644 1000 100 f'
  -p 'run/sock i 755 0 0 s'
  -p 'home/user/notes.txt m 640 1000 1000'
  -p 'home/user m 700 1000 1000'
  -p 'srv/nobody.txt m 4755 65534 65534'
)
sq() { # sq NAME SRC [mksquashfs options…]
  local name=$1 src=$2
  shift 2
  mksquashfs "$src" "$work/$name.sqfs" -noappend -mkfs-time 1700000000 -no-progress -quiet "$@" >/dev/null
}
wrap() { # wrap NAME: the squashfs as the primary partition of a SIF
  siftool new "$out/$1.sif"
  siftool add "$out/$1.sif" "$work/$1.sqfs" --datatype 4 --parttype 2 --partfs 1 --partarch 2 --groupid 1
}

sq gzip "$work/tree" "${pseudo[@]}" -comp gzip
sq lzma "$work/tree" "${pseudo[@]}" -comp lzma
sq lzo "$work/tree" "${pseudo[@]}" -comp lzo
sq xz "$work/tree" "${pseudo[@]}" -comp xz
sq xz-bcj "$work/tree" "${pseudo[@]}" -comp xz -Xbcj x86,arm
sq lz4 "$work/tree" "${pseudo[@]}" -comp lz4
sq lz4-hc "$work/tree" "${pseudo[@]}" -comp lz4 -Xhc
sq zstd "$work/tree" "${pseudo[@]}" -comp zstd
sq gzip-4k "$work/tree" "${pseudo[@]}" -comp gzip -b 4K
sq zstd-1m "$work/tree" "${pseudo[@]}" -comp zstd -b 1M
sq uncompressed "$work/tree" "${pseudo[@]}" -noI -noId -noD -noF -noX
sq no-fragments "$work/tree" "${pseudo[@]}" -no-fragments
sq always-fragments "$work/tree" "${pseudo[@]}" -always-use-fragments -b 4K
sq no-xattrs-no-exports "$work/tree" "${pseudo[@]}" -no-xattrs -no-exports
sq huge-sparse "$work/huge" -comp zstd
sq singularity "$work/singularity" -comp gzip -all-root
sq singularity-meta "$work/singularity" -comp gzip -all-root
for n in gzip lzma lzo xz xz-bcj lz4 lz4-hc zstd gzip-4k zstd-1m uncompressed no-fragments always-fragments no-xattrs-no-exports huge-sparse singularity; do
  wrap "$n"
done

# singularity-meta: what `singularity build` writes today: Def.FILE, labels and inspect-metadata.json.
m=$out/singularity-meta.sif
siftool new "$m"
siftool add "$m" "$work/singularity/.singularity.d/Singularity" --datatype 1 --groupid 1 --filename Singularity
siftool add "$m" "$work/inspect-metadata.json" --datatype 6 --groupid 1 --filename inspect-metadata.json
siftool add "$m" "$work/singularity-meta.sqfs" --datatype 4 --parttype 2 --partfs 1 --partarch 2 --groupid 1

# A second writer lays data out differently: gensquashfs (from a directory) and tar2sqfs (from a tar).
gensquashfs -q -D "$work/tree" -c xz -k "$work/ng-gensquashfs.sqfs" >/dev/null
(cd "$work/tree" && tar --sort=name --format=pax --mtime=@1600000000 -cf "$work/tree.tar" .)
tar2sqfs -q -c zstd -b 65536 "$work/ng-tar2sqfs.sqfs" <"$work/tree.tar" >/dev/null
wrap ng-gensquashfs
wrap ng-tar2sqfs

# Raw squashfs images that test/squashfs/hostile.test.ts damages byte by byte: an uncompressed one
# (every table readable in place) and, per codec, 1 MiB of one repeated byte in 1 MiB blocks (the test
# shrinks the block size so each block becomes a decompression bomb).
h=$here/hostile
rm -rf "$h"
mkdir -p "$h" "$work/hostile/cy/cz" "$work/bomb"
printf 'x' >"$work/hostile/ab"
printf 'file data\n' >"$work/hostile/file"
ln -s loop2 "$work/hostile/loop1"
ln -s loop1 "$work/hostile/loop2"
mksquashfs "$work/hostile" "$h/plain.sqfs" -noappend -noI -noId -noD -noF -noX -all-root -mkfs-time 0 -all-time 0 -no-progress -quiet >/dev/null
head -c 1048576 /dev/zero | tr '\0' 'a' >"$work/bomb/a"
for c in gzip lzma lzo xz lz4 zstd; do
  mksquashfs "$work/bomb" "$h/bomb-$c.sqfs" -noappend -comp $c -b 1M -noI -no-fragments -all-root -mkfs-time 0 -all-time 0 -no-progress -quiet >/dev/null
done

# Goldens from unsquashfs.
for f in "$out"/*.sif; do
  n=$(basename "$f" .sif)
  sqfs=$work/$n.sqfs
  unsquashfs -lln -UTC "$sqfs" >"$gold/$n.lln"
  rm -rf "$work/x"
  unsquashfs -no-progress -q -d "$work/x" "$sqfs" >/dev/null
  python3 "$here/describe.py" "$work/x" >"$gold/$n.files"
done
rm -rf "$work/x"
echo "squashfs fixtures written to $here"
