#!/usr/bin/env python3
"""Describes an extracted tree (made by `unsquashfs -d` as root), one JSON object per line, paths
sorted by bytes: path, type, mode, uid, gid, mtime, size, sha256 (files), target (symlinks), rdev
(devices), xattrs (name -> hex), hardlink (the first path of the same inode)."""
import hashlib
import json
import os
import stat
import sys

top = sys.argv[1]
first_of = {}


def describe(rel):
    p = os.path.join(top, rel) if rel else top
    st = os.lstat(p)
    m = st.st_mode
    kind = {stat.S_IFDIR: "dir", stat.S_IFREG: "file", stat.S_IFLNK: "symlink", stat.S_IFBLK: "block",
            stat.S_IFCHR: "char", stat.S_IFIFO: "fifo", stat.S_IFSOCK: "socket"}[stat.S_IFMT(m)]
    d = {"path": "/" + rel, "type": kind, "mode": stat.S_IMODE(m), "uid": st.st_uid, "gid": st.st_gid,
         "mtime": int(st.st_mtime)}
    if kind == "file":
        d["size"] = st.st_size
        h = hashlib.sha256()
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        d["sha256"] = h.hexdigest()
        if st.st_nlink > 1:
            key = (st.st_dev, st.st_ino)
            if key in first_of:
                d["hardlink"] = first_of[key]
            else:
                first_of[key] = d["path"]
    if kind == "symlink":
        d["target"] = os.readlink(p)
    if kind in ("block", "char"):
        d["rdev"] = [os.major(st.st_rdev), os.minor(st.st_rdev)]
    if kind != "symlink":
        names = sorted(os.listxattr(p, follow_symlinks=False))
        if names:
            d["xattrs"] = {n: os.getxattr(p, n, follow_symlinks=False).hex() for n in names}
    return d


def walk(rel):
    yield describe(rel)
    p = os.path.join(top, rel) if rel else top
    if os.path.isdir(p) and not os.path.islink(p):
        for name in sorted(os.listdir(p), key=os.fsencode):
            yield from walk(os.path.join(rel, name) if rel else name)


for d in walk(""):
    print(json.dumps(d, ensure_ascii=False, sort_keys=True))
