#!/usr/bin/env python3
"""Builds the input trees of testdata/squashfs/make.sh, the same bytes every run.

  tree/         every kind of entry squashfs stores (special files come from mksquashfs pseudo
                definitions): sizes around block and fragment boundaries, sparse and hard-linked
                files, symlinks (relative, absolute, dangling, to a directory, chained), long names,
                a deep path, empty files and directories, a 300-entry directory (extended inode with an
                index), odd modes, xattrs in line and shared (out of line) values
  huge/         a sparse file past 4 GiB (extended file inode, 64-bit size)
  singularity/  the tree `singularity build` makes from a definition file with %labels, %help,
                %runscript, %startscript, %test, %environment and two SCIF apps
  inspect-metadata.json   what singularity stores for that tree (`inspect --all`, compact JSON)
"""
import json
import os
import random
import sys

work = sys.argv[1]
T = 1600000000  # mtimes: fixed, one per entry, so listings are stable


def write(path, data, mode=0o644, mtime=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    stamp(path, mtime)


def stamp(path, mtime=None):
    t = T if mtime is None else mtime
    os.utime(path, (t, t), follow_symlinks=False)


def text(n, seed):
    """n bytes of compressible, seed-dependent text."""
    r = random.Random(seed)
    words = ["sif", "squash", "block", "inode", "fragment", "container", "label", "xattr", "\n"]
    out = bytearray()
    while len(out) < n:
        out += (r.choice(words) + " ").encode()
    return bytes(out[:n])


def noise(n, seed):
    r = random.Random(seed)
    return bytes(r.getrandbits(8) for _ in range(n))


# --- tree ---------------------------------------------------------------------------------------
t = os.path.join(work, "tree")
os.makedirs(t)
sizes = [0, 1, 4095, 4096, 4097, 8192, 131071, 131072, 131073, 300000, 1048576 + 3]
for i, n in enumerate(sizes):
    write(f"{t}/data/text-{n}.txt", text(n, i), mtime=T + i * 61)
write(f"{t}/data/noise-70000.bin", noise(70000, 7), mode=0o600, mtime=T + 1000)
write(f"{t}/data/noise-5000.bin", noise(5000, 8), mtime=T + 1001)

# sparse: holes at the start, in the middle and at the end, around data blocks
sp = f"{t}/sparse/holes.bin"
os.makedirs(os.path.dirname(sp))
with open(sp, "wb") as f:
    f.truncate(3 * 1048576 + 100)
    f.seek(1048576 + 5)
    f.write(text(200000, 11))
stamp(sp)
with open(f"{t}/sparse/all-zero.bin", "wb") as f:
    f.truncate(600000)
stamp(f"{t}/sparse/all-zero.bin")

# hard links (three names, one inode) and a hard link across directories
write(f"{t}/links/a.txt", b"shared by three names\n")
os.link(f"{t}/links/a.txt", f"{t}/links/b.txt")
os.makedirs(f"{t}/links/sub")
os.link(f"{t}/links/a.txt", f"{t}/links/sub/c.txt")
stamp(f"{t}/links/sub")

# symlinks
os.makedirs(f"{t}/sym")
for name, target in [
    ("rel", "../data/text-1.txt"),
    ("abs", "/data/text-4096.txt"),
    ("dangling", "does/not/exist"),
    ("to-dir", "../links"),
    ("chain1", "chain2"),
    ("chain2", "rel"),
    ("dot", "."),
    ("up-and-out", "../../../../etc/passwd"),
    ("long", "x" * 4000),
]:
    os.symlink(target, f"{t}/sym/{name}")
    stamp(f"{t}/sym/{name}")
stamp(f"{t}/sym")

# long names and a deep path
write(f"{t}/names/{'n' * 255}", b"longest name\n")
write(f"{t}/names/sp ace & \u00e9t\u00e9 \u2603.txt", b"unicode and spaces\n")
write(f"{t}/names/-dash", b"starts with a dash\n")
deep = t + "/deep/" + "/".join(f"d{i:02}" for i in range(40))
write(f"{deep}/bottom.txt", b"forty levels down\n")

# empty things
write(f"{t}/empty/file", b"")
os.makedirs(f"{t}/empty/dir")
os.makedirs(f"{t}/empty/dir2/inner")

# a big directory: 300 entries, long names (an extended inode with a directory index)
for i in range(300):
    write(f"{t}/big/entry-{i:04}-{'z' * (i % 50)}", f"{i}\n".encode(), mtime=T + i)

# modes
write(f"{t}/modes/setuid", b"#!/bin/sh\n", mode=0o4755)
write(f"{t}/modes/setgid", b"#!/bin/sh\n", mode=0o2750)
write(f"{t}/modes/none", b"no permissions\n", mode=0o000)
write(f"{t}/modes/exec", b"#!/bin/sh\necho hi\n", mode=0o755)
os.makedirs(f"{t}/modes/sticky")
os.chmod(f"{t}/modes/sticky", 0o1777)

# owners (set by pseudo `m` definitions in make.sh)
write(f"{t}/home/user/notes.txt", b"private notes\n")
write(f"{t}/srv/nobody.txt", b"owned by nobody\n")

# xattrs: in line, a value shared by two files (stored once, out of line), on a directory
long_value = b"v" * 300
for p, attrs in [
    (f"{t}/data/text-1.txt", {"user.comment": b"one byte", "user.empty": b""}),
    (f"{t}/data/text-4096.txt", {"user.shared": long_value}),
    (f"{t}/data/text-8192.txt", {"user.shared": long_value, "user.other": b"\x00\x01\xff"}),
    (f"{t}/links", {"user.dir": b"on a directory"}),
    (f"{t}/modes/exec", {"trusted.t": b"trusted value", "security.s": b"security value"}),
]:
    for k, v in attrs.items():
        os.setxattr(p, k.encode(), v)

for root, dirs, files in os.walk(t, topdown=False):
    for d in dirs:
        stamp(os.path.join(root, d), T + len(d))
stamp(t)

# --- huge ---------------------------------------------------------------------------------------
h = os.path.join(work, "huge")
os.makedirs(h)
with open(f"{h}/sparse-5g.img", "wb") as f:
    f.truncate(5 * 2**30 + 12345)
    f.seek(4 * 2**30 + 7)
    f.write(b"past four gibibytes\n")
stamp(f"{h}/sparse-5g.img")
write(f"{h}/small.txt", b"a small file beside it\n")
stamp(h)

# --- singularity --------------------------------------------------------------------------------
s = os.path.join(work, "singularity")
sd = f"{s}/.singularity.d"
deffile = """Bootstrap: localimage
From: base.sif

%help
    This is a test container & <it> has help.

%labels
    Maintainer sifkit
    Version 1.2

%environment
    export test="testing"
    export e2e="e2e testing"

%runscript
    cat /.singularity.d/runscript.help

%startscript
    echo starting

%test
    test -f /etc/os-release

%apprun hello
    echo hello

%appenv hello
    HELLOTHISIS=hello
    export HELLOTHISIS

%applabels hello
    APP hello

%apprun world
    echo world
"""
labels = {
    "Maintainer": "sifkit",
    "Version": "1.2",
    "org.label-schema.build-arch": "amd64",
    "org.label-schema.build-date": "Tuesday_1_December_2026_0:0:0_UTC",
    "org.label-schema.schema-version": "1.0",
    "org.label-schema.usage": "/.singularity.d/runscript.help",
    "org.label-schema.usage.singularity.deffile.bootstrap": "localimage",
    "org.label-schema.usage.singularity.deffile.from": "base.sif",
    "org.label-schema.usage.singularity.runscript.help": "/.singularity.d/runscript.help",
    "org.label-schema.usage.singularity.version": "4.2.1",
}
files = {
    "labels.json": json.dumps(labels, indent="\t") + "\n",
    "runscript": "#!/bin/sh\n\ncat /.singularity.d/runscript.help\n",
    "runscript.help": "    This is a test container & <it> has help.\n\n",
    "startscript": "#!/bin/sh\n\necho starting\n",
    "test": "#!/bin/sh\n\ntest -f /etc/os-release\n",
    "Singularity": deffile,
    "env/01-base.sh": "#!/bin/sh\n# base\n",
    "env/10-docker2singularity.sh": "#!/bin/sh\nexport PATH=\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"\n",
    "env/90-environment.sh": '#!/bin/sh\n# Custom environment shell code should follow\n\n\nexport test="testing"\nexport e2e="e2e testing"\n',
    "env/91-environment.sh": "export FROM_BUILD=1",
    "env/94-appsbase.sh": "#!/bin/sh\n# apps base\n",
    "env/99-base.sh": "#!/bin/sh\n# last\n",
    "actions/run": "#!/bin/sh\nexec /.singularity.d/runscript \"$@\"\n",
}
for name, body in files.items():
    write(f"{sd}/{name}", body.encode(), mode=0o755 if "/" not in name or name.startswith("actions") else 0o644)
os.makedirs(f"{sd}/libs")
apps = {
    "hello": {
        "runscript": "#!/bin/sh\n\necho hello\n",
        "labels.json": json.dumps({"APP": "hello"}, indent="\t") + "\n",
        "env/01-base.sh": "#!/bin/sh\nSCIF_APPNAME=hello\n",
        "env/90-environment.sh": "HELLOTHISIS=hello\nexport HELLOTHISIS\n",
    },
    "world": {"runscript": "#!/bin/sh\n\necho world\n"},
}
for app, fs in apps.items():
    for name, body in fs.items():
        write(f"{s}/scif/apps/{app}/scif/{name}", body.encode(), mode=0o755)
    os.makedirs(f"{s}/scif/data/{app}", exist_ok=True)
os.makedirs(f"{s}/scif/apps/notanapp")  # no scif/ inside: not listed
write(f"{s}/etc/os-release", b'NAME="sifkit test"\n')
for name, target in [
    ("singularity", ".singularity.d/runscript"),
    ("environment", ".singularity.d/env/90-environment.sh"),
    (".run", ".singularity.d/actions/run"),
]:
    os.symlink(target, f"{s}/{name}")
for d in ["proc", "sys", "dev", "tmp", "home"]:
    os.makedirs(f"{s}/{d}")

# What singularity stores as inspect-metadata.json: `inspect --all` of the tree (values trimmed of
# trailing newlines; the deffile in full), compact, Go struct order.
def trim(x):
    return x.rstrip("\n")


meta = {
    "data": {
        "attributes": {
            "apps": {
                "hello": {
                    "environment": {"/scif/apps/hello/scif/env/90-environment.sh": trim(apps["hello"]["env/90-environment.sh"])},
                    "labels": {"APP": "hello"},
                    "runscript": trim(apps["hello"]["runscript"]),
                },
                "world": {"runscript": trim(apps["world"]["runscript"])},
            },
            "environment": {
                f"/.singularity.d/{k}": trim(files[k])
                for k in ["env/10-docker2singularity.sh", "env/90-environment.sh", "env/91-environment.sh"]
            },
            "labels": labels,
            "runscript": trim(files["runscript"]),
            "test": trim(files["test"]),
            "helpfile": trim(files["runscript.help"]),
            "deffile": trim(deffile),
            "startscript": trim(files["startscript"]),
        }
    },
    "type": "container",
}
with open(os.path.join(work, "inspect-metadata.json"), "w") as f:
    json.dump(meta, f, separators=(",", ":"))
