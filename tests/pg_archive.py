"""Read and rewrite the table of contents of a pg_dump custom-format archive (tests only).

A test needs a dump that carries what a hostile one would: SQL text of its own choosing in an
entry, as a dump made on a server the attacker controls (or written by hand) holds. pg_dump
itself quotes what it writes, so such a dump is made from a real one by changing one entry's
`defn` (the SQL pg_restore prints or runs for it) and moving the data offsets after it.

The layout (PostgreSQL's src/bin/pg_dump/pg_backup_archiver.c, ReadHead and ReadToc, and
pg_backup_custom.c): a header, the entries, then the data blocks the entries point at. An
integer is a sign byte and `intSize` bytes, least significant first; a string an integer
length (-1 for none) and its bytes; an offset a flag byte and `offSize` bytes. Archive
versions 1.12 to 1.15 (pg_dump 11 to 16) are read; others are refused.
"""

from dataclasses import dataclass

MAGIC = b"PGDMP"
OFFSET_SET = 2  # K_OFFSET_POS_SET: the entry's data block is at this offset
ENTRY_FIELDS = (
    ("dump_id", "int"),
    ("had_dumper", "int"),
    ("tableoid", "str"),
    ("oid", "str"),
    ("tag", "str"),
    ("desc", "str"),
    ("section", "int"),
    ("defn", "str"),
    ("drop_stmt", "str"),
    ("copy_stmt", "str"),
    ("namespace", "str"),
    ("tablespace", "str"),
    ("tableam", "str"),
    ("owner", "str"),
    ("with_oids", "str"),
)


class UnknownArchive(Exception):
    """An archive this reader does not know how to rewrite."""


@dataclass
class Archive:
    header: bytes
    entries: list
    data: bytes
    int_size: int
    off_size: int


class _Reader:
    def __init__(self, raw):
        self.raw, self.pos = raw, 0

    def bytes(self, n):
        chunk = self.raw[self.pos : self.pos + n]
        if len(chunk) != n:
            raise UnknownArchive("cut short")
        self.pos += n
        return chunk

    def int(self, size):
        sign = self.bytes(1)[0]
        value = int.from_bytes(self.bytes(size), "little")
        return -value if sign else value

    def str(self, size):
        length = self.int(size)
        return None if length < 0 else self.bytes(length)


def _int(value, size):
    return bytes([1 if value < 0 else 0]) + abs(value).to_bytes(size, "little")


def _str(value, size):
    return _int(-1, size) if value is None else _int(len(value), size) + value


def read(raw):
    """The archive's header, entries (dicts of bytes and ints) and data, as stored."""
    reader = _Reader(raw)
    if reader.bytes(5) != MAGIC:
        raise UnknownArchive("not a pg_dump archive")
    major, minor, _rev, int_size, off_size, _format = reader.bytes(6)
    if (major, minor) not in {(1, 12), (1, 13), (1, 14), (1, 15)}:
        raise UnknownArchive(f"archive version {major}.{minor}")
    if minor >= 15:
        reader.bytes(1)  # the compression algorithm
    else:
        reader.int(int_size)  # the compression level
    for _ in range(7):  # when it was made: seconds, minutes, ..., daylight saving
        reader.int(int_size)
    for _ in range(3):  # database name, server version, pg_dump version
        reader.str(int_size)
    header = raw[: reader.pos]
    entries = []
    for _ in range(reader.int(int_size)):
        entry = {}
        for name, kind in ENTRY_FIELDS:
            if name == "tableam" and minor < 14:
                continue
            entry[name] = getattr(reader, kind)(int_size)
        entry["deps"] = []
        while (dep := reader.str(int_size)) is not None:
            entry["deps"].append(dep)
        entry["offset_flag"] = reader.bytes(1)[0]
        entry["offset"] = int.from_bytes(reader.bytes(off_size), "little")
        entries.append(entry)
    placed = [e["offset"] for e in entries if e["offset_flag"] == OFFSET_SET]
    if placed and min(placed) != reader.pos:
        raise UnknownArchive("the data does not follow the entries")
    return Archive(header, entries, raw[reader.pos :], int_size, off_size)


def write(archive):
    """The archive's bytes, its data offsets moved by what the entries grew or shrank."""

    def toc(shift):
        out = [_int(len(archive.entries), archive.int_size)]
        for entry in archive.entries:
            for name, kind in ENTRY_FIELDS:
                if name in entry:
                    encode = _int if kind == "int" else _str
                    out.append(encode(entry[name], archive.int_size))
            out.extend(_str(dep, archive.int_size) for dep in entry["deps"])
            out.append(_str(None, archive.int_size))
            offset = entry["offset"] + (shift if entry["offset_flag"] == OFFSET_SET else 0)
            out.append(bytes([entry["offset_flag"]]) + offset.to_bytes(archive.off_size, "little"))
        return b"".join(out)

    start = len(archive.header) + len(toc(0))  # where the data now begins
    placed = [e["offset"] for e in archive.entries if e["offset_flag"] == OFFSET_SET]
    shift = start - min(placed, default=start)
    return archive.header + toc(shift) + archive.data
