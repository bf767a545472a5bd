#!/usr/bin/env python3
"""Writes crates/engine/src/interp/dir_names.rs: what CPython's dir() lists for
each kind of object the playground has (SPEC 2.1), taken from CPython itself.

usage: python3 tools/gen_dir_names.py   (with CPython 3.11, the version sockplay follows)
"""
import errno
import os
import select
import selectors
import socket
import struct
import sys
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "crates", "engine", "src", "interp", "dir_names.rs")

s = socket.socket()
sel = selectors.DefaultSelector()


def gen():
    yield


kinds = {
    "SOCKET": s,
    "SOCKET_MODULE": socket,
    "SELECT_MODULE": select,
    "BYTES": b"",
    "STR": "",
    "INT": 0,
    "BOOL": True,
    "FLOAT": 0.0,
    "LIST": [],
    "TUPLE": (),
    "RANGE": range(0),
    "NONE": None,
    "ADDRESS_FAMILY": socket.AF_INET,
    "SOCKET_KIND": socket.SOCK_STREAM,
    "MSG_FLAG": socket.MSG_PEEK,
    "BUILTIN_FUNCTION": len,
    "FUNCTION": socket.create_connection,
    "REVERSED": reversed([]),
    "TYPE": int,
    "DICT": {},
    "SET": set(),
    "DICT_KEYS": {}.keys(),
    "DICT_VALUES": {}.values(),
    "DICT_ITEMS": {}.items(),
    "GENERATOR": gen(),
    "LIST_ITERATOR": iter([]),
    "TYPES_MODULE": types,
    "SYS_MODULE": sys,
    "ERRNO_MODULE": errno,
    "SELECTORS_MODULE": selectors,
    "SELECTOR": sel,
    "SELECTOR_KEY": selectors.SelectorKey(None, 0, 1, None),
    "NAMESPACE": types.SimpleNamespace(),
    "TIME_MODULE": time,
    "STRUCT_MODULE": struct,
}
s.close()
sel.close()

lines = [
    "//! What CPython 3.11's `dir()` lists for each kind of object the playground",
    "//! has, taken from CPython by tools/gen_dir_names.py (do not edit by hand).",
    "",
]
for name, obj in kinds.items():
    names = dir(obj)
    lines.append(f"pub const {name}: &[&str] = &[")
    for n in names:
        lines.append(f'    "{n}",')
    lines.append("];")
    lines.append("")
with open(OUT, "w") as f:
    f.write("\n".join(lines))
print(f"wrote {OUT} with CPython {sys.version.split()[0]}")
